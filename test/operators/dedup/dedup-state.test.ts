import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../../compiler/graph/job-graph.js';
import { encodeKey } from '../../../runtime/state/key-codec.js';
import { keyGroupForKey, subtaskForKeyGroup } from '../../../runtime/state/key-groups.js';
import type { StateBackendType } from '../../../runtime/state/keyed-state-backend.js';
import { changelogLines, materialize } from '../changelog.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { dedupProgram, events, expectedDedup } from './dedup-fixtures.js';

const rows = events(1200);
const half = rows.length / 2;
const harnesses: OperatorHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

function dedupOperator(keep: 'FIRST' | 'LAST'): Operator {
  return compilePipe(dedupProgram('id', keep)).operators.find((o) => o.uid === 'dedup')!;
}

async function open(operator: Operator, options?: Parameters<typeof OperatorHarness.open>[1]): Promise<OperatorHarness> {
  const harness = await OperatorHarness.open(operator, options);
  harnesses.push(harness);
  return harness;
}

function feed(harness: OperatorHarness, input: readonly unknown[][]): void {
  for (let i = 0; i < input.length; i += 100) harness.process(input.slice(i, i + 100));
}

describe('deduplicate state', () => {
  it('KEEP FIRST keeps one flag per distinct key, and nothing else', async () => {
    const harness = await open(dedupOperator('FIRST'));
    feed(harness, rows);
    const entries = await harness.keyedEntries();
    expect(entries.map((e) => e.state)).toEqual(Array.from({ length: 41 }, () => 'first-seen'));
    expect(new Set(entries.map((e) => e.key)).size).toBe(41);
    expect(entries.every((e) => JSON.stringify(e.value) === '[true]')).toBe(true);
  });

  it('KEEP LAST keeps the last row of every distinct key', async () => {
    const harness = await open(dedupOperator('LAST'));
    feed(harness, rows);
    const entries = await harness.keyedEntries();
    expect(entries.every((e) => e.state === 'last-row')).toBe(true);
    expect(materialize({ rows: entries.map((e) => e.value as unknown[]), kinds: entries.map(() => 0) })).toEqual(
      materialize({ rows: expectedDedup(rows, (r) => JSON.stringify(r[0]), 'last'), kinds: rows.map(() => 0) }),
    );
  });

  describe.each(['FIRST', 'LAST'] as const)('KEEP %s', (keep) => {
    it.each<StateBackendType>(['memory', 'disk'])('restored midway (into the %s backend) ends with the output of an uninterrupted run', async (backend) => {
      const operator = dedupOperator(keep);
      const straight = await open(operator);
      feed(straight, rows);
      await straight.finish();

      const before = await open(operator);
      feed(before, rows.slice(0, half));
      const snapshot = await before.snapshot();
      const after = await open(operator, { restore: snapshot, backend });
      feed(after, rows.slice(half));
      await after.finish();

      expect([...changelogLines(before.output), ...changelogLines(after.output)]).toEqual(changelogLines(straight.output));
    });
  });

  it('restored at parallelism 2, each subtask takes the keys of its key groups and goes on as one subtask would', async () => {
    const operator = dedupOperator('LAST');
    const straight = await open(operator);
    feed(straight, rows);

    const before = await open(operator);
    feed(before, rows.slice(0, half));
    const snapshot = await before.snapshot();
    const subtasks = await Promise.all([0, 1].map((subtask) => open(operator, { restore: snapshot, subtask, parallelism: 2 })));
    const subtaskOf = (row: readonly unknown[]) => subtaskForKeyGroup(keyGroupForKey(encodeKey([row[0]]), 128), 2, 128);
    for (const [subtask, harness] of subtasks.entries()) feed(harness, rows.slice(half).filter((row) => subtaskOf(row) === subtask));

    const outputs = [before.output, ...subtasks.map((s) => s.output)];
    expect(materialize({ rows: outputs.flatMap((o) => o.rows), kinds: outputs.flatMap((o) => o.kinds) })).toEqual(materialize(straight.output));
    expect(subtasks.map((s) => s.output.rows.length > 0)).toEqual([true, true]);
  });
});
