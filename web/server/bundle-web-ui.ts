import { join } from 'node:path';
import { UI_ENTRY, type UI_ASSET_NAMES } from './ui-assets.js';

export interface BundledFile {
  readonly name: keyof typeof UI_ASSET_NAMES;
  readonly content: Uint8Array;
}

/**
 * Bundles the page (web/ui/main.ts with uPlot, dagre and their CSS) for the browser with esbuild, in memory.
 * esbuild is a development dependency: the built package never calls this, it serves dist/web-ui/.
 */
export async function bundleWebUi(root: string): Promise<BundledFile[]> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { dashboard: join(root, UI_ENTRY) },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outdir: join(root, 'dist', 'web-ui'),
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles.map((file) => ({ name: file.path.endsWith('.css') ? 'dashboard.css' : 'dashboard.js', content: file.contents }));
}
