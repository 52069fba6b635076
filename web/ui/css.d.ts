// esbuild bundles the style sheets the page imports into dashboard.css.
declare module '*.css';
