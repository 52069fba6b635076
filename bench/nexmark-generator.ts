/**
 * Events per second of the Nexmark generator alone (no runtime), per table and for all events together, through
 * the same split reader the source uses. `tsx bench/nexmark-generator.ts [events]`.
 */
import { IndexedSplitReader, generatorSplits } from '../runtime/connectors/generators/indexed-split.js';
import { NexmarkGenerator } from '../connectors/nexmark/generator.js';
import { DEFAULT_NEXMARK_RATE, NEXMARK_TABLE_NAMES, tableSequence, type NexmarkTable } from '../connectors/nexmark/model.js';

const events = Number(process.argv[2] ?? 5_000_000);
const BATCH = 1024;

function drain(table: NexmarkTable): number {
  const generator = new NexmarkGenerator(DEFAULT_NEXMARK_RATE);
  const [split] = generatorSplits(`bench-${table}`, 1);
  const reader = new IndexedSplitReader(split!, tableSequence(table), { firstIndex: 0, endIndex: events }, generator.rowMaker(table), undefined);
  let rows = 0;
  for (;;) {
    const result = reader.readSync(BATCH);
    rows += result.rows.length;
    if (result.status === 'end') return rows;
  }
}

function measure(label: string, run: () => number): void {
  const start = process.hrtime.bigint();
  const rows = run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = Math.round(rows / seconds).toLocaleString('en-US');
  console.log(`${label.padEnd(8)} ${rows.toLocaleString('en-US').padStart(11)} events  ${seconds.toFixed(2)} s  ${perSecond.padStart(11)} events/s`);
}

drain('bid'); // warm up the JIT
for (const table of NEXMARK_TABLE_NAMES) measure(table, () => drain(table));
measure('all', () => NEXMARK_TABLE_NAMES.reduce((sum, table) => sum + drain(table), 0));
