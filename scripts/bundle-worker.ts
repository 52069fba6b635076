/**
 * `npm run build` (after tsc): bundles the worker threads' entries into dist/worker/ (runtime/workers/source-bundle.ts
 * says how and why), which the library (dist/) and the command line's bundle (dist/bin/) both start their workers
 * from (workerEntryUrl): slots' (runtime/workers/slot-worker.ts) and chain merges'
 * (runtime/checkpoint/storage/chain-mergers.ts).
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { workerBundleOptions } from '../runtime/workers/source-bundle.js';

const OUT = 'dist/worker';
// Chunk names carry content hashes: clear the directory so that no chunk of an earlier build lingers.
rmSync(OUT, { recursive: true, force: true });
await build({
  ...workerBundleOptions({
    'sluice-worker': 'runtime/workers/worker-entry.ts',
    'sluice-merge-worker': 'runtime/checkpoint/storage/merge-worker.ts',
  }),
  outdir: OUT,
  sourcemap: true,
});
