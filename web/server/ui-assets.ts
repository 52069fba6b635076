import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard page's script and style sheet. `npm run build` bundles web/ui/ into dist/web-ui/
 * (scripts/bundle-web-ui.ts); running from source (tests, `tsx`), where dist has none, the first request bundles
 * web/ui/ in memory with esbuild. Everything is served by the dashboard itself: the page loads nothing from
 * elsewhere and works offline.
 */
export interface UiAsset {
  readonly content: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

export interface UiAssets {
  /** The asset of that name; undefined for a name that is none. Rejects when the page cannot be built. */
  get(name: string): Promise<UiAsset | undefined>;
}

export const UI_ASSET_NAMES = { 'dashboard.js': 'text/javascript; charset=utf-8', 'dashboard.css': 'text/css; charset=utf-8' } as const;
export const UI_BUNDLE_DIR = 'dist/web-ui';
export const UI_ENTRY = 'web/ui/main.ts';

/** The package's root: the nearest directory above this module with Sluice's package.json (source, dist/ and bundles alike). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bin', 'sluice.js'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Sluice's package directory was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

type Bundle = ReadonlyMap<string, UiAsset>;

async function loadBundle(): Promise<Bundle> {
  const root = packageRoot();
  const built = join(root, UI_BUNDLE_DIR);
  if (existsSync(join(built, 'dashboard.js'))) {
    const entries = await Promise.all(
      Object.entries(UI_ASSET_NAMES).map(async ([name, contentType]) => [name, { content: new Uint8Array(await readFile(join(built, name))), contentType }] as const),
    );
    return new Map(entries);
  }
  if (!existsSync(join(root, UI_ENTRY))) throw new Error(`neither ${built}/dashboard.js nor ${join(root, UI_ENTRY)} exists`);
  const { bundleWebUi } = await import('./bundle-web-ui.js');
  const files = await bundleWebUi(root);
  return new Map(files.map((file) => [file.name, { content: new Uint8Array(file.content), contentType: UI_ASSET_NAMES[file.name] }]));
}

/** The page's assets, read (or bundled) once, on the first request. */
export function uiAssets(): UiAssets {
  let bundle: Promise<Bundle> | undefined;
  return {
    get: async (name) => {
      if (!Object.hasOwn(UI_ASSET_NAMES, name)) return undefined;
      bundle ??= loadBundle();
      // A failure is not kept: the next request tries again.
      const loaded = await bundle.catch((error: unknown) => {
        bundle = undefined;
        throw error;
      });
      return loaded.get(name);
    },
  };
}

/** The page's HTML: a shell the script fills in. It reads the token from the URL's fragment (never sent to a server). */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice dashboard</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<div id="app">Loading…</div>
<script type="module" src="/assets/dashboard.js"></script>
</body>
</html>
`;
}
