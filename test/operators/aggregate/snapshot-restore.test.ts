import { describe, expect, it, vi } from 'vitest';
import { OperatorHost } from '../../../runtime/execution/operator-host.js';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import { RowKind } from '../../../runtime/record-batch.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { changelogLines } from '../changelog.js';
import { entryLines, type EntryLine } from '../snapshot-entries.js';
import { OperatorHarness, type HarnessOptions } from '../operator-harness.js';
import { compiledOperator, program, s } from './pipes.js';

/** What the operator receives, in order: batches (with change kinds for updating inputs) and watermarks. */
type Step = { readonly rows: unknown[][]; readonly kinds?: RowKind[] } | { readonly watermark: number };

function apply(harness: OperatorHarness, steps: readonly Step[]): void {
  for (const step of steps) {
    if ('watermark' in step) harness.watermark(step.watermark);
    else harness.process(step.rows, 0, step.kinds);
  }
}

async function uninterrupted(operator: Operator, steps: readonly Step[], options: HarnessOptions): Promise<string[]> {
  const harness = await OperatorHarness.open(operator, options);
  apply(harness, steps);
  await harness.finish();
  return changelogLines(harness.output);
}

/** Runs `steps` up to `at`, snapshots, abandons the subtask, restores a fresh one from the snapshot and finishes. */
async function restoredAt(operator: Operator, steps: readonly Step[], at: number, options: HarnessOptions): Promise<string[]> {
  const first = await OperatorHarness.open(operator, options);
  apply(first, steps.slice(0, at));
  const snapshot = await first.snapshot();
  await first.close();
  const second = await OperatorHarness.open(operator, { ...options, restore: snapshot });
  apply(second, steps.slice(at));
  await second.finish();
  return [...changelogLines(first.output), ...changelogLines(second.output)];
}

/** Click batches (user, page, amount, ts), time moving forward with some disorder, a watermark after each batch. */
function clickSteps(batches: number): Step[] {
  const steps: Step[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const rows: unknown[][] = [];
    for (let r = 0; r < 6; r++, i++) rows.push([`u${i % 4}`, `p${(i * 5) % 7}`, i % 9 === 0 ? null : (i % 23) / 2, i * 700 + ((i * 7919) % 1500)]);
    steps.push({ rows }, { watermark: Math.max(...rows.map((row) => row[3] as number)) - 2000 });
  }
  return steps;
}

/** Updates of (user, page, top) as a continuous aggregate emits them: +I, then -U/+U pairs. */
function updateSteps(batches: number): Step[] {
  const tops = new Map<string, number>();
  const steps: Step[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const rows: unknown[][] = [];
    const kinds: RowKind[] = [];
    for (let r = 0; r < 4; r++, i++) {
      const user = `u${i % 3}`;
      const page = `p${(i * 5) % 4}`;
      const id = `${user}/${page}`;
      const top = (i * 37) % 50;
      const previous = tops.get(id);
      if (previous === undefined) {
        rows.push([user, page, top]);
        kinds.push(RowKind.INSERT);
      } else {
        rows.push([user, page, previous], [user, page, top]);
        kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      }
      tops.set(id, top);
    }
    steps.push({ rows, kinds });
  }
  return steps;
}

const STACKED = program(`|> AGGREGATE MAX(amount) AS top GROUP BY user, page UID 'per-page'
  |> AGGREGATE MIN(top) AS low, MAX(top) AS high, AVG(top) AS mean, COUNT(DISTINCT top) AS levels GROUP BY user UID 'agg'`);
const aggregates = 'COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS low, COUNT(DISTINCT page) AS pages, LAST_VALUE(page) AS last_page';

/**
 * `ordered`: compare changelogs line for line. Window results are compared as sets: windows of different keys
 * firing at the same time come in timer-heap order, which a restore (rebuilding the heap) may change.
 */
const cases: { name: string; operator: () => Operator; steps: Step[]; ordered: boolean }[] = [
  {
    name: 'continuous aggregate',
    operator: () => compiledOperator(program(`|> AGGREGATE ${aggregates} GROUP BY user UID 'agg'`), 'agg', 'group_aggregate'),
    steps: clickSteps(12),
    ordered: true,
  },
  { name: 'continuous aggregate over updates', operator: () => compiledOperator(STACKED, 'agg', 'group_aggregate'), steps: updateSteps(12), ordered: true },
  ...['TUMBLE(ts, INTERVAL \'5\' SECOND)', 'HOP(ts, INTERVAL \'2\' SECOND, INTERVAL \'6\' SECOND)', 'SESSION(ts, INTERVAL \'1500\' MILLISECOND)'].map((window) => ({
    name: window.slice(0, window.indexOf('(')),
    operator: () =>
      compiledOperator(program(`|> WINDOW ${window} |> AGGREGATE ${aggregates} GROUP BY user, window_start, window_end UID 'agg'`), 'agg', 'window_aggregate'),
    steps: clickSteps(12),
    ordered: false,
  })),
];

/** The `windows` entries of a snapshot's text form. */
function windowEntries(text: string): EntryLine[] {
  return entryLines(text, new Set(['windows']));
}

/**
 * A snapshot's text with each packed `windows` entry (operators/packed-windows.ts) written as the layout before it
 * had them: an entry per window, its bounds as the map key and its accumulators as the value; and without the
 * windows' timers, as a version 8 checkpoint's base leaves them out (a restore registers them from the entries).
 */
function unpackWindows(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [lines[0]!];
  let count = 0;
  for (const line of lines.slice(1)) {
    if (!line.startsWith('[')) continue;
    const entry = JSON.parse(line) as EntryLine;
    if (entry[1] === '__timers.event') continue;
    if (entry[1] !== 'windows' || !Array.isArray(entry[5]) || entry[5].length !== 0) {
      out.push(line);
      count++;
      continue;
    }
    const [width, ...windows] = entry[4] as unknown[];
    const stride = 2 + (width as number);
    for (let at = 0; at < windows.length; at += stride) {
      out.push(JSON.stringify([entry[0], 'windows', entry[2], entry[3], windows.slice(at + 2, at + stride), windows.slice(at, at + 2)]));
      count++;
    }
  }
  out.push(JSON.stringify({ end: true, entries: count }));
  return out.join('\n') + '\n';
}

describe('aggregate state through snapshot and restore', () => {
  for (const backend of ['memory', 'disk'] as const satisfies readonly StateBackendType[]) {
    for (const { name, operator, steps, ordered } of cases) {
      it(`${name} (${backend} backend): restoring midway gives the output of an uninterrupted run`, async () => {
        const graphOperator = operator();
        const comparable = (lines: string[]) => (ordered ? lines : lines.sort());
        const expected = await uninterrupted(graphOperator, steps, { backend });
        expect(expected.length).toBeGreaterThan(8);
        for (const at of [5, 12]) expect(comparable(await restoredAt(graphOperator, steps, at, { backend }))).toEqual(comparable(expected));
      });
    }
  }

  const aligned = cases.filter((c) => c.name === 'TUMBLE' || c.name === 'HOP');

  it('keeps a key\'s aligned windows in one entry of `windows`, the windows packed in its value', async () => {
    const harness = await OperatorHarness.open(aligned[1]!.operator(), {});
    harness.process([['a', 'p', 1, s(1)], ['b', 'p', 2, s(3)], ['a', 'p', 3, s(4)]], 0);
    const entries = windowEntries((await harness.snapshot()).keyed!);
    // HOP 6 s sliding 2 s: a's rows (1 s, 4 s) fall into 5 windows, b's (3 s) into 3; one entry per key.
    expect(entries.map(([, , key, , , mapKey]) => [key, mapKey])).toEqual([
      ['["a"]', []],
      ['["b"]', []],
    ]);
    const [width, ...windows] = entries[0]![4] as number[];
    // COUNT(*), SUM (sum, count), MIN, COUNT(DISTINCT), LAST_VALUE: 6 fields per window, after its bounds.
    expect(width).toBe(6);
    expect(windows).toHaveLength(5 * (2 + width!));
    await harness.close();
  });

  for (const backend of ['memory', 'disk'] as const satisfies readonly StateBackendType[]) {
    for (const { name, operator, steps } of aligned) {
      it(`${name} (${backend} backend): restores a snapshot of the layout before packing (an entry per window) as an uninterrupted run, and packs it`, async () => {
        const graphOperator = operator();
        const expected = (await uninterrupted(graphOperator, steps, { backend })).sort();
        const first = await OperatorHarness.open(graphOperator, { backend });
        apply(first, steps.slice(0, 5));
        const snapshot = await first.snapshot();
        await first.close();
        const unpacked = unpackWindows(snapshot.keyed!);
        expect(windowEntries(unpacked).length).toBeGreaterThan(windowEntries(snapshot.keyed!).length);
        const second = await OperatorHarness.open(graphOperator, { backend, restore: { ...snapshot, keyed: unpacked } });
        expect(windowEntries((await second.snapshot()).keyed!).every(([, , , , , mapKey]) => Array.isArray(mapKey) && mapKey.length === 0)).toBe(true);
        apply(second, steps.slice(5));
        await second.finish();
        expect([...changelogLines(first.output), ...changelogLines(second.output)].sort()).toEqual(expected);
      });
    }
  }

  it('visits every key at open only when the restore holds windows of the layout before packing', async () => {
    const graphOperator = aligned[1]!.operator();
    const { steps } = aligned[1]!;
    const first = await OperatorHarness.open(graphOperator, {});
    apply(first, steps.slice(0, 5));
    const snapshot = await first.snapshot();
    await first.close();
    const forEachKey = vi.spyOn(OperatorHost.prototype, 'forEachKey');
    try {
      const packed = await OperatorHarness.open(graphOperator, { restore: snapshot });
      expect(forEachKey).not.toHaveBeenCalled();
      await packed.close();
      const unpacked = await OperatorHarness.open(graphOperator, { restore: { ...snapshot, keyed: unpackWindows(snapshot.keyed!) } });
      expect(forEachKey).toHaveBeenCalledTimes(1);
      await unpacked.close();
    } finally {
      forEachKey.mockRestore();
    }
  });

  it('the restored session state still merges with later rows', async () => {
    const graphOperator = compiledOperator(
      program("|> WINDOW SESSION(ts, INTERVAL '5' SECOND) |> AGGREGATE COUNT(*) AS n GROUP BY user, window_start, window_end UID 'agg'"),
      'agg',
      'window_aggregate',
    );
    const steps: Step[] = [{ rows: [['a', 'p', 1, s(1)], ['a', 'p', 1, s(8)]] }, { rows: [['a', 'p', 1, s(5)]] }];
    expect(await restoredAt(graphOperator, steps, 1, {})).toEqual(['+I ["a",1000,13000,3]']);
  });
});
