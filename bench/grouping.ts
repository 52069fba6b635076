// Micro bench: grouping a batch by key, the reusable KeyGrouping against the per-batch grouping of f72be02
// (test/operators/aggregate/rows-by-key-before.ts). CPU time per row, q8-like keys (mostly one row per key).
import { KeyGrouping } from '../runtime/operators/aggregate/key-grouping.js';
import { rowsByKey } from '../test/operators/aggregate/rows-by-key-before.js';

const BATCH = Number(process.argv[2] ?? 1000);
const BATCHES = Number(process.argv[3] ?? 2000);
const names = Array.from({ length: 5000 }, (_, i) => `Person ${i % 97} ${i}`);
function batch(seed: number): unknown[][] {
  return Array.from({ length: BATCH }, (_, i) => {
    const id = 1000 + seed * BATCH + i - (i % 4 === 0 ? 1 : 0);
    return [id, names[id % names.length], 1436918400000 + (seed >> 4) * 10000, 1436918410000 + (seed >> 4) * 10000, 'extra'];
  });
}
const batches = Array.from({ length: 64 }, (_, s) => batch(s));
for (const keyCount of [1, 2, 3]) {
  const columns = Array.from({ length: keyCount }, (_, i) => (i === 0 ? 0 : i + 1));
  const keyOf = (row: readonly unknown[]) => columns.map((c) => row[c]);
  const grouping = new KeyGrouping(keyOf, keyCount, columns);
  const result: number[] = [];
  for (const [name, run] of [
    ['before', (rows: unknown[][]) => { let n = 0; for (const g of rowsByKey(rows, keyOf, keyCount)) for (const i of g.rows) n += i; return n; }],
    ['KeyGrouping', (rows: unknown[][]) => { let n = 0; const c = grouping.group(rows); for (let g = 0; g < c; g++) for (let r = grouping.starts[g]!; r < grouping.starts[g + 1]!; r++) n += grouping.order[r]!; return n; }],
  ] as const) {
    for (let round = 0; round < 3; round++) {
      const t = process.cpuUsage();
      let sum = 0;
      for (let b = 0; b < BATCHES; b++) sum += run(batches[b % 64]!);
      const u = process.cpuUsage(t);
      result.push(sum);
      console.log(`${keyCount} column(s) ${name} round ${round}: ${((u.user + u.system) * 1000 / (BATCH * BATCHES)).toFixed(0)} ns/row`);
    }
  }
}
