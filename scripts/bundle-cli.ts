/**
 * `npm run build` (after tsc): bundles the command line into dist/bin/ for bin/sluice.js. Chevrotain's ES build
 * imports lodash-es one module per function (640 files); bundled, `sluice compile` opens a handful of files.
 * Code splitting keeps each command's implementation in its own chunk, loaded when the command runs
 * (cli/register/). Packages other than chevrotain and zod stay external (BUNDLE_EXTERNALS) and load from
 * node_modules as usual.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { BUNDLE_EXTERNALS } from '../runtime/workers/source-bundle.js';

const OUT = 'dist/bin';
// Chunk names carry content hashes: clear the directory so that no chunk of an earlier build lingers.
rmSync(OUT, { recursive: true, force: true });

await build({
  // Worker threads start from their own bundle in dist/worker/ (scripts/bundle-worker.ts).
  entryPoints: { sluice: 'cli/main.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS and native packages, and any not bundled for start-up (source-bundle.ts says why).
  external: [...BUNDLE_EXTERNALS],
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: V8 parses a smaller file faster, and names stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
});
