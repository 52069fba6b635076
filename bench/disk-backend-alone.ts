/**
 * The `disk` backend alone, without a job around it: N uniformly random keys, E updates of a `[count, sum]` value
 * state straight on the backend, as the continuous GROUP BY of key-scaling.ts does (getForUpdate, changed in
 * place, put), under the state key the job passes (a key of one number as the number, state-key.ts). Optionally a delta every D events, its changes read at once (what a checkpoint's asynchronous part
 * does, minus writing the file). Prints CPU time per event, and per delta the synchronous part
 * (`snapshotChanges`) and the read (`changes()`), and the peak RSS. Compare runs interleaved: the machine is shared.
 *
 *   npx tsx bench/disk-backend-alone.ts [--keys 1000000] [--events 3000000] [--cache-cells 100000 | --cache-size '64 mb'] [--delta-every 0] [--backend disk|fs]
 *
 * `--cache-size` bounds the cache in estimated bytes (`state.backend.disk.cache-size`) instead of cells.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMemorySize } from '../compiler/config/memory-size.js';
import { CurrentKey } from '../runtime/state/current-key.js';
import { DiskKeyedStateBackend } from '../runtime/state/disk-backend.js';
import { HeapKeyedStateBackend } from '../runtime/state/heap-backend.js';
import type { KeyedStateBackend } from '../runtime/state/keyed-state-backend.js';

const MAX_PARALLELISM = 128;

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '3000000' },
    'cache-cells': { type: 'string', default: '100000' },
    'cache-size': { type: 'string' },
    'delta-every': { type: 'string', default: '0' },
    backend: { type: 'string', default: 'disk' },
    seed: { type: 'string', default: '1' },
  },
});
const keys = Number(values.keys);
const events = Number(values.events);
const deltaEvery = Number(values['delta-every']);
const range = { start: 0, end: MAX_PARALLELISM - 1 };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-disk-alone-'));
const backend: KeyedStateBackend =
  values.backend === 'fs'
    ? new HeapKeyedStateBackend('fs', MAX_PARALLELISM, range)
    : new DiskKeyedStateBackend(MAX_PARALLELISM, range, {
        directory: path.join(dir, 'store'),
        ...(values['cache-size'] === undefined ? { cacheCells: Number(values['cache-cells']) } : { cacheBytes: parseMemorySize(values['cache-size'])! }),
      });

// A small fixed-seed generator (xorshift32): the same key sequence in every run.
let seed = Number(values.seed) >>> 0 || 1;
const nextKey = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % keys;
};

const current = new CurrentKey(MAX_PARALLELISM, range, 'bench');
backend.register('per-key', 'value');
const row: [number] = [0];
backend.snapshot(true).release();

let syncMs = 0;
let readMs = 0;
let deltas = 0;
let cells = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let i = 1; i <= events; i++) {
  row[0] = nextKey();
  current.set(row);
  // As an aggregating state does: the accumulator taken for update, changed in place, put back.
  const value = backend.getForUpdate('per-key', current.keyGroup, current.stateKey, '') as [number, number] | undefined;
  if (value === undefined) backend.put('per-key', current.keyGroup, current.stateKey, '', [1, i % 1000]);
  else {
    value[0]++;
    value[1] += i % 1000;
    backend.put('per-key', current.keyGroup, current.stateKey, '', value);
  }
  if (deltaEvery > 0 && i % deltaEvery === 0) {
    const syncStart = process.cpuUsage();
    const delta = backend.snapshotChanges?.();
    const syncCpu = process.cpuUsage(syncStart);
    syncMs += (syncCpu.user + syncCpu.system) / 1000;
    if (delta === undefined) {
      backend.snapshot(true).release();
      continue;
    }
    const readStart = process.cpuUsage();
    for (const change of delta.changes()) cells += change.entries.length;
    delta.release();
    const readCpu = process.cpuUsage(readStart);
    readMs += (readCpu.user + readCpu.system) / 1000;
    deltas++;
  }
}
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const line = [
  `${values.backend} keys ${keys} events ${events} cache ${values['cache-size'] ?? values['cache-cells'] + ' cells'}`,
  ...(backend instanceof DiskKeyedStateBackend ? [`cached at the end ${backend.cachedCellCount} cells, ${(backend.cachedByteCount / 1024 ** 2).toFixed(1)} MiB estimated`] : []),
  `${((cpuMs * 1000) / events).toFixed(2)} us/event CPU (wall ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  ...(deltas > 0 ? [`${deltas} deltas: sync ${(syncMs / deltas).toFixed(0)} ms, read ${(readMs / deltas).toFixed(0)} ms per delta, ${Math.round(cells / deltas)} cells each`] : []),
  `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
];
console.log(line.join('; '));
backend.dispose();
fs.rmSync(dir, { recursive: true, force: true });
