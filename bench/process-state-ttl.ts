/**
 * CPU time of a keyed process function whose map and list state have a TTL (per element since issue 13): 400
 * batches of 1,000 rows over 1,000 keys, each row reading and writing map entries (`get`, `put`, `contains`) and
 * reading and appending to a list, on the memory backend with a controlled clock. Prints CPU seconds; compare
 * commits by running it in each worktree, interleaved. `npx tsx bench/process-state-ttl.ts`
 */
import type { ProcessFunction } from '../runtime/operators/process/process-function.js';
import { ManualClock } from '../runtime/time/clock.js';
import { OperatorHarness } from '../test/operators/operator-harness.js';
import { processProgram } from '../test/operators/process/process-fixtures.js';
import { compilePipe } from '../test/operators/run-pipe.js';

const bench: ProcessFunction = {
  name: 'bench',
  args: [{ name: 'DOUBLE' }],
  rowFormat: 'array',
  output: 'input',
  state: [
    { name: 'seen', kind: 'map', mapKeyType: [{ name: 'k', type: 'BIGINT' }], valueType: [{ name: 'v', type: 'DOUBLE' }], ttl: { ms: '1 h' } },
    { name: 'recent', kind: 'list', valueType: [{ name: 'v', type: 'DOUBLE' }], ttl: { ms: '1 h' } },
  ],
  processElement(_row, ctx) {
    const value = ctx.args[0] as number;
    const seen = ctx.state.map<number, number>('seen');
    const k = value % 8;
    seen.put(k, (seen.get(k) ?? 0) + 1);
    if (seen.contains(k + 1)) seen.get(k + 1);
    const recent = ctx.state.list<number>('recent');
    if (recent.get().length > 16) recent.update([value]);
    else recent.add(value);
  },
};

const operator = compilePipe(processProgram('bench(amount) PARTITION BY account'), { functions: { processes: [bench] } }).operators.find((o) => o.uid === 'p')!;
const clock = new ManualClock(0);
const harness = await OperatorHarness.open(operator, { processFunctions: { bench }, clock, backend: 'memory' });
const batch = Array.from({ length: 1000 }, (_, i) => [`k${i}`, i, 0]);
const before = process.cpuUsage();
for (let round = 0; round < 400; round++) {
  clock.set(round);
  harness.process(batch);
}
const used = process.cpuUsage(before);
console.log(`${((used.user + used.system) / 1e6).toFixed(3)} s CPU for 400,000 rows`);
await harness.close();
