import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { Job } from '../../runtime/execution/job.js';

/**
 * The built package (dist/, tsc's output of `npm run build`) for benches whose figures must not include tsx: a
 * worker thread started from the TypeScript sources registers tsx and transpiles the runtime's modules itself,
 * about 1.6 s of CPU per worker, where one started from dist/ loads the build's bundle of the worker's entry
 * (dist/worker/), as the CLI and the published package do.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT_ENTRY = join(ROOT, 'dist', 'index.js');
/** The worker threads' bundle (scripts/bundle-worker.ts), which jobs at parallelism above 1 start their workers from. */
const WORKER_BUNDLE = join(ROOT, 'dist', 'worker', 'sluice-worker.js');
/** What tsconfig.build.json compiles that a job's threads run. */
const RUNTIME_SOURCES = ['index.ts', 'grammar', 'compiler', 'connectors', 'runtime'];

function newestSource(path: string): { readonly file: string; readonly mtimeMs: number } {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { file: path, mtimeMs: path.endsWith('.ts') ? stat.mtimeMs : 0 };
  let newest = { file: path, mtimeMs: 0 };
  for (const entry of readdirSync(path)) {
    const candidate = newestSource(join(path, entry));
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

/** Why dist/ does not match the sources (missing, or a source changed since it was built), or undefined. */
function staleness(): string | undefined {
  let built: number;
  try {
    built = Math.min(statSync(BUILT_ENTRY).mtimeMs, statSync(WORKER_BUNDLE).mtimeMs);
  } catch {
    return 'dist/ is missing';
  }
  for (const source of RUNTIME_SOURCES) {
    const newest = newestSource(join(ROOT, source));
    if (newest.mtimeMs > built) return `${newest.file.slice(ROOT.length)} changed since dist/ was built`;
  }
  return undefined;
}

/**
 * Compiles dist/ with tsc and bundles the worker threads' entry (jobs started through the API need no CLI bundle)
 * when either is missing or older than a source.
 */
export function ensureBuiltPackage(log: (line: string) => void): void {
  const reason = staleness();
  if (reason === undefined) return;
  log(`Building dist/ with tsc and the worker bundle (${reason}) …`);
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  // This process runs under tsx (bench/run.ts): the bundling script runs with the same loader.
  execFileSync(process.execPath, [...process.execArgv, join(ROOT, 'scripts', 'bundle-worker.ts')], { cwd: ROOT, stdio: 'inherit' });
}

/** The built package's `Job` and connector registry, for `measure` (same API as the sources'). */
export async function loadBuiltRuntime(): Promise<{ readonly Job: typeof Job; readonly ConnectorRuntimes: typeof ConnectorRuntimes }> {
  const api = (await import(new URL('../../dist/index.js', import.meta.url).href)) as { Job: typeof Job };
  const registry = (await import(new URL('../../dist/connectors/runtime-registry.js', import.meta.url).href)) as { ConnectorRuntimes: typeof ConnectorRuntimes };
  return { Job: api.Job, ConnectorRuntimes: registry.ConnectorRuntimes };
}
