import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let bundled: string | undefined;

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
  if (bundled !== undefined) return bundled;
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
  const file = path.join(dir, `worker-entry-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  bundled = pathToFileURL(file).href;
  return bundled;
}
