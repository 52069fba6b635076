/**
 * What a checkpoint's keyed-state file costs to write and to read, by encoding: the JSON lines savepoints keep
 * (snapshot-format.ts) against the binary records of checkpoints (snapshot-binary.ts). A heap backend holds `--keys`
 * keys, each with a GROUP BY's accumulator (a value cell `[count, sum]`) and a window's timer (a map entry); the
 * snapshot is encoded and hashed as the storage does (`writePieces`, nothing written to disk), then the file is
 * parsed as restore does. Rounds alternate the encodings; medians of CPU time.
 *
 *   npx tsx bench/state-encoding.ts [--keys 1000000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { linePieces, writePieces } from '../runtime/checkpoint/storage/state-file-writer.js';
import { HeapKeyedStateBackend } from '../runtime/state/heap-backend.js';
import { encodeMapKey } from '../runtime/state/key-codec.js';
import { keyGroupForKey } from '../runtime/state/key-groups.js';
import type { KeyedStateSnapshot } from '../runtime/state/keyed-state-backend.js';
import { binaryKeyedState, parseKeyedStateFile } from '../runtime/state/snapshot-binary.js';
import { keyedStateLines } from '../runtime/state/snapshot-format.js';

const { values } = parseArgs({ options: { keys: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } } });
const keys = Number(values.keys);
const rounds = Number(values.rounds);
const MAX_PARALLELISM = 128;

const backend = new HeapKeyedStateBackend('fs', MAX_PARALLELISM, { start: 0, end: MAX_PARALLELISM - 1 });
backend.register('accumulators', 'value');
backend.register('__timers.event', 'map');
for (let i = 0; i < keys; i++) {
  const key = `[${i}]`;
  const group = keyGroupForKey(key, MAX_PARALLELISM);
  backend.put('accumulators', group, key, '', [i % 7, i * 3]);
  backend.mapPut('__timers.event', group, key, '', encodeMapKey(1_700_000_000_000 + i), 1_700_000_000_000 + i, null);
}

const encodings = {
  json: (snapshot: KeyedStateSnapshot) => linePieces(keyedStateLines(snapshot)),
  binary: (snapshot: KeyedStateSnapshot) => binaryKeyedState(snapshot),
} as const;

const cpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: Record<string, { write: number[]; read: number[]; bytes: number }> = { json: { write: [], read: [], bytes: 0 }, binary: { write: [], read: [], bytes: 0 } };
for (let round = 0; round < rounds; round++) {
  for (const [name, encode] of Object.entries(encodings)) {
    const snapshot = backend.snapshot();
    const pieces: Buffer[] = [];
    let start = cpu();
    const content = await writePieces(encode(snapshot), (piece) => {
      // A copy, as a write to a file would take the bytes before the binary encoder reuses its buffer.
      pieces.push(Buffer.from(piece));
      return Promise.resolve();
    });
    results[name]!.write.push(cpu() - start);
    snapshot.release();
    const file = Buffer.concat(pieces);
    start = cpu();
    const parsed = parseKeyedStateFile(file);
    results[name]!.read.push(cpu() - start);
    results[name]!.bytes = content.bytes;
    if (parsed.entries.length !== 2 * keys) throw new Error(`${name}: ${parsed.entries.length} entries read back, ${2 * keys} written`);
  }
}

console.log(`Keyed-state file of ${keys.toLocaleString('en-US')} keys (${(2 * keys).toLocaleString('en-US')} entries), medians of ${rounds} rounds, CPU time`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(6)}  ${(r.bytes / 1024 / 1024).toFixed(1).padStart(6)} MiB  write+sha256 ${median(r.write).toFixed(2)} s (${((median(r.write) / (2 * keys)) * 1e9).toFixed(0)} ns/entry)  ` +
      `read ${median(r.read).toFixed(2)} s (${((median(r.read) / (2 * keys)) * 1e9).toFixed(0)} ns/entry)`,
  );
}
console.log(`binary ÷ json: write ${(median(results.binary!.write) / median(results.json!.write)).toFixed(2)}, read ${(median(results.binary!.read) / median(results.json!.read)).toFixed(2)}`);
