import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The bundles made in this process, by entry. */
const bundled = new Map<string, string>();

/**
 * Running from TypeScript sources (vitest, tsx): the worker entry and the runtime it imports as one ES module,
 * bundled once per process with esbuild (a development dependency, loaded only here). A worker then loads one
 * file instead of transpiling the runtime through tsx's loader, which cost each worker 1.6 s of CPU (bench/README)
 * and made jobs at parallelism 2 in the test suite several times slower to start than in-process. Packages stay
 * external; the bundle goes under node_modules/.cache, where they resolve as from the sources, named by its
 * content's hash (processes bundling the same sources share the file; written to a temporary name, then renamed).
 * Returns its file URL.
 */
export function workerSourceBundle(entry: URL): string {
  const made = bundled.get(entry.href);
  if (made !== undefined) return made;
  const require = createRequire(entry);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const dir = path.join(path.dirname(path.dirname(require.resolve('esbuild/package.json'))), '.cache', 'sluice-worker');
  const name = path.basename(entry.pathname).replace(/\.ts$/, '');
  const file = path.join(dir, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  const url = pathToFileURL(file).href;
  bundled.set(entry.href, url);
  return url;
}

/**
 * The file URL of a worker thread's entry module `<name>` beside the module `here` (its `import.meta.url`): from
 * TypeScript sources, a bundle of `<name>.ts` (above); compiled by tsc, `<name>.js`; in the command line's bundle
 * (scripts/bundle-cli.ts, which names the entry `bundleName`), `bundleName` beside the bundle's main file or one
 * directory up from a chunk.
 */
export function workerEntryUrl(here: string, name: string, bundleName: string): string {
  if (here.endsWith('.ts')) return workerSourceBundle(new URL(`./${name}.ts`, here));
  const candidates = [new URL(`./${name}.js`, here), new URL(`./${bundleName}`, here), new URL(`../${bundleName}`, here)];
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (found === undefined) throw new Error(`the worker thread's entry module ${name} is missing next to ${fileURLToPath(here)}: rebuild the package (npm run build)`);
  return found.href;
}
