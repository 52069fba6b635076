import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * The packages that the bundles (the worker threads' and the command line's, scripts/bundle-cli.ts) leave to load
 * from node_modules: every dependency but the two ES-module packages bundled for start-up (zod, and chevrotain with
 * lodash-es, which the command line's parser loads one module per function otherwise). A CommonJS package bundled
 * into an ES-module chunk breaks at run time: its `require` of a Node built-in throws ("Dynamic require of crypto
 * is not supported"), and `import()` of it yields only a default export (NATS's `connect` was undefined in
 * workers and in the built command line). test/workers/worker-bundle.test.ts checks the list against
 * package.json.
 */
export const BUNDLE_EXTERNALS = [
  '@dagrejs/dagre',
  '@hono/node-server',
  '@nats-io/jetstream',
  '@nats-io/transport-node',
  'commander',
  'fs-extra',
  'hono',
  'lmdb',
  'pg',
  'pg-logical-replication',
  'uplot',
  // A development dependency, loaded only to bundle from sources (below; the dashboard's page, web/server/): never bundled.
  'esbuild',
] as const;

/**
 * How the worker threads' entry modules are bundled with esbuild (entries by bundle name, without `.js`): by
 * `npm run build` into dist/worker/ (scripts/bundle-worker.ts), and from TypeScript sources by workerSourceBundle.
 * A worker then loads a dozen files instead of about 370 ES modules (the runtime's, and zod's with its locales),
 * which the loader resolved, read and compiled one by one in every worker (bench/README.md, `--scaling`).
 * - Code splitting keeps what the runtime imports dynamically (connector runtimes, with pg and NATS) in chunks that
 *   load when a job uses them: in one file, esbuild would hoist those packages' imports to its top.
 * - zod is bundled and tree-shaken (imported as a namespace, `import * as z`, it leaves its locales out); every other
 *   package stays external (BUNDLE_EXTERNALS).
 */
export function workerBundleOptions(entryPoints: Readonly<Record<string, string>>) {
  return {
    entryPoints: { ...entryPoints },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...BUNDLE_EXTERNALS],
    chunkNames: 'chunks/[name]-[hash]',
    // Whitespace and syntax only: V8 parses a smaller file faster, and names stay readable in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  } satisfies BuildOptions;
}

/** The bundles made in this process, by entry. */
const bundled = new Map<string, string>();

/**
 * Running from TypeScript sources (vitest, tsx): the worker entry `entry` bundled as the build bundles it, once per
 * process, with esbuild (a development dependency, loaded only here). A worker then loads the bundle instead of
 * transpiling the runtime through tsx's loader, which cost each worker 1.6 s of CPU (bench/README) and made jobs at
 * parallelism 2 in the test suite several times slower to start than in-process. The bundle goes under
 * node_modules/.cache, where its external packages resolve as from the sources, in a directory named by its
 * content's hash (processes bundling the same sources share it; written under a temporary name, then renamed). Not
 * minified, so that a failing test's stack trace points at readable lines. Returns the entry's file URL.
 */
export function workerSourceBundle(entry: URL, bundleName: string): string {
  const made = bundled.get(entry.href);
  if (made !== undefined) return made;
  const require = createRequire(entry);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const root = path.join(path.dirname(path.dirname(require.resolve('esbuild/package.json'))), '.cache', 'sluice-worker');
  const result = esbuild.buildSync({
    ...workerBundleOptions({ [bundleName.replace(/\.js$/, '')]: fileURLToPath(entry) }),
    outdir: root,
    write: false,
    minifyWhitespace: false,
    minifySyntax: false,
    logLevel: 'silent',
  });
  const files = result.outputFiles.map((file) => ({ name: path.relative(root, file.path), contents: file.contents })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.name).update(file.contents);
  const dir = path.join(root, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    const temp = `${dir}.${process.pid}.tmp`;
    for (const file of files) {
      mkdirSync(path.dirname(path.join(temp, file.name)), { recursive: true });
      writeFileSync(path.join(temp, file.name), file.contents);
    }
    try {
      renameSync(temp, dir);
    } catch (error) {
      // Another process renamed the same bundle into place first.
      if (!existsSync(dir)) throw error;
      rmSync(temp, { recursive: true, force: true });
    }
  }
  const url = pathToFileURL(path.join(dir, bundleName)).href;
  bundled.set(entry.href, url);
  return url;
}

/**
 * The file URL of a worker thread's entry module `<name>` beside the module `here` (its `import.meta.url`): from
 * TypeScript sources, a bundle of `<name>.ts` (above); from the built package, the build's bundle `bundleName` in
 * dist/worker/ (scripts/bundle-worker.ts), whether `here` was compiled by tsc into dist/ (the library) or bundled
 * into dist/bin/ (the command line).
 */
export function workerEntryUrl(here: string, name: string, bundleName: string): string {
  if (here.endsWith('.ts')) return workerSourceBundle(new URL(`./${name}.ts`, here), bundleName);
  let dist = path.dirname(fileURLToPath(here));
  while (path.basename(dist) !== 'dist' && path.dirname(dist) !== dist) dist = path.dirname(dist);
  const bundle = path.join(dist, 'worker', bundleName);
  if (!existsSync(bundle)) throw new Error(`the worker threads' bundle ${bundle} is missing: rebuild the package (npm run build)`);
  return pathToFileURL(bundle).href;
}
