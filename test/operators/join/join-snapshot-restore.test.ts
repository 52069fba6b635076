import { describe, expect, it } from 'vitest';
import type { OperatorKind } from '../../../compiler/graph/job-graph.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { changelogLines } from '../changelog.js';
import { entryLines, type EntryLine } from '../snapshot-entries.js';
import { OperatorHarness, type HarnessSnapshot } from '../operator-harness.js';
import { compiledJoin, joinProgram, s, windowJoinProgram } from './join-fixtures.js';

/**
 * Each join's state taken by a snapshot after any step and restored into a fresh subtask gives, with the rest of
 * the input, exactly the output of an uninterrupted run. The watermark is not state (as in Flink): after a
 * restore the inputs bring it back, modelled here by pushing the last one again.
 */

type Step = { readonly input: 0 | 1; readonly rows: readonly (readonly unknown[])[] } | { readonly watermark: number };

const W0 = [0, s(10)];
const W1 = [s(10), s(20)];

const cases: { name: string; program: string; kind: OperatorKind; steps: Step[] }[] = [
  {
    name: 'regular LEFT join',
    program: joinProgram('LEFT JOIN', 'o.id = p.order_id'),
    kind: 'join',
    steps: [
      { input: 0, rows: [[1, 'a', 10, s(1)], [2, 'b', 20, s(1)]] },
      { input: 1, rows: [[1, 100, s(2)]] },
      { input: 0, rows: [[1, 'a', 10, s(1)]] },
      { input: 1, rows: [[2, 200, s(3)], [1, 101, s(3)]] },
      { input: 0, rows: [[3, 'c', 30, s(6)]] },
    ],
  },
  {
    name: 'interval LEFT join',
    program: joinProgram('LEFT JOIN', "o.id = p.order_id AND p.ts BETWEEN o.ts - INTERVAL '1' SECOND AND o.ts + INTERVAL '5' SECOND"),
    kind: 'interval_join',
    steps: [
      { input: 0, rows: [[1, 'a', 10, s(10)], [2, 'b', 20, s(10)], [3, 'c', 30, s(12)]] },
      { input: 1, rows: [[1, 100, s(12)]] },
      { watermark: s(12) },
      { input: 1, rows: [[3, 300, s(16)], [2, 200, s(16)]] },
      { watermark: s(15) },
      { input: 0, rows: [[4, 'd', 40, s(16)], [5, 'e', 50, s(20)]] },
      { input: 1, rows: [[4, 400, s(15) + 500]] },
    ],
  },
  {
    name: 'window LEFT join',
    program: windowJoinProgram('LEFT JOIN'),
    kind: 'window_join',
    steps: [
      { input: 0, rows: [[1, 'a', 10, s(1), ...W0], [2, 'b', 20, s(2), ...W0]] },
      { input: 1, rows: [[1, 100, s(3), ...W0]] },
      { watermark: s(10) - 1 },
      { input: 0, rows: [[1, 'c', 30, s(11), ...W1]] },
      { input: 1, rows: [[1, 200, s(12), ...W1], [1, 201, s(13), ...W1]] },
      { input: 0, rows: [[5, 'late', 1, s(5), ...W0]] },
    ],
  },
];

const ROW_STATES = new Set(['left-rows', 'right-rows']);

/** The `left-rows` / `right-rows` entries of a snapshot's text form. */
function rowEntries(text: string): EntryLine[] {
  return entryLines(text, ROW_STATES);
}

/**
 * A snapshot's text with each window-join entry's packed row (operators/join/packed-rows.ts) written as the layout
 * before, a list of rows; and without the windows' timers, as a checkpoint's base leaves them out (a restore
 * registers them from the entries).
 */
function unpackRows(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [lines[0]!];
  for (const line of lines.slice(1)) {
    if (!line.startsWith('[')) continue;
    const entry = JSON.parse(line) as EntryLine;
    if (entry[1] === '__timers.event') continue;
    if (!ROW_STATES.has(entry[1])) {
      out.push(line);
      continue;
    }
    const value = entry[4] as unknown[];
    const rows = typeof value[0] === 'number' ? [value.slice(1)] : value;
    out.push(JSON.stringify([entry[0], entry[1], entry[2], entry[3], rows, entry[5]]));
  }
  out.push(JSON.stringify({ end: true, entries: out.length - 1 }));
  return out.join('\n') + '\n';
}

function apply(harness: OperatorHarness, steps: readonly Step[]): void {
  for (const step of steps) {
    if ('watermark' in step) harness.watermark(step.watermark);
    else harness.process(step.rows, step.input);
  }
}

describe.each(cases)('$name', ({ program, kind, steps }) => {
  const operator = compiledJoin(program, kind);

  it.each<StateBackendType>(['memory', 'disk'])('restores its state midway to the same final output (%s backend)', async (backend) => {
    const straight = await OperatorHarness.open(operator, { backend });
    apply(straight, steps);
    await straight.finish(2);
    const expected = changelogLines(straight.output);
    expect(expected.length).toBeGreaterThan(0);

    for (let split = 1; split < steps.length; split++) {
      const before = await OperatorHarness.open(operator, { backend });
      apply(before, steps.slice(0, split));
      const snapshot: HarnessSnapshot = await before.snapshot();
      await before.close();

      const after = await OperatorHarness.open(operator, { backend, restore: snapshot });
      const watermarks = steps.slice(0, split).flatMap((step) => ('watermark' in step ? [step.watermark] : []));
      if (watermarks.length > 0) after.watermark(Math.max(...watermarks));
      apply(after, steps.slice(split));
      await after.finish(2);
      expect([...changelogLines(before.output), ...changelogLines(after.output)], `snapshot after step ${split}`).toEqual(expected);
    }
  });
});

describe('window join state of the layout before packing (a list of rows in every entry)', () => {
  const { program, kind, steps } = cases.find((c) => c.kind === 'window_join')!;
  const operator = compiledJoin(program, kind);

  it.each<StateBackendType>(['memory', 'disk'])('restores as an uninterrupted run (%s backend)', async (backend) => {
    const straight = await OperatorHarness.open(operator, { backend });
    apply(straight, steps);
    await straight.finish(2);
    const expected = changelogLines(straight.output).sort();

    // After the first steps: key 1 holds left and right rows of W0, key 2 a left row.
    const split = 2;
    const before = await OperatorHarness.open(operator, { backend });
    apply(before, steps.slice(0, split));
    const snapshot = await before.snapshot();
    await before.close();
    const unpacked = unpackRows(snapshot.keyed!);
    const lists = rowEntries(unpacked);
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every(([, , , , value]) => Array.isArray(value) && Array.isArray(value[0]))).toBe(true);
    // Before the rewrite, the entries of one row were packed.
    expect(rowEntries(snapshot.keyed!).some(([, , , , value]) => typeof (value as unknown[])[0] === 'number')).toBe(true);

    const after = await OperatorHarness.open(operator, { backend, restore: { ...snapshot, keyed: unpacked } });
    // A row added to a restored list joins the list: key 2's left rows of W0.
    after.process([[2, 'again', 5, s(4), ...W0]], 0);
    const added = rowEntries((await after.snapshot()).keyed!).find(([, state, key]) => state === 'left-rows' && key === '[2,0,10000]');
    expect(added?.[4]).toEqual([[2, 'b', 20, s(2), ...W0], [2, 'again', 5, s(4), ...W0]]);
    apply(after, steps.slice(split));
    await after.finish(2);
    const again = '+I [2,"again",5,4000,0,10000,null,null,null,null,null]';
    expect([...changelogLines(before.output), ...changelogLines(after.output)].sort()).toEqual([...expected, again].sort());
  });
});
