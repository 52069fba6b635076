import { describe, expect, it } from 'vitest';
import type { StateDescriptor } from '../../compiler/graph/job-graph.js';
import type { LoadedCheckpoint, LoadedOperatorState } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { CheckpointRestoreError } from '../../runtime/checkpoint/restore/restore-error.js';
import { planRestore } from '../../runtime/checkpoint/restore/restore-plan.js';
import type { KeyGroupRange } from '../../runtime/state/key-groups.js';
import { keyedStateHeader } from '../../runtime/state/snapshot-format.js';
import { BIGINT, feedSource, graph, op, schema } from '../runtime/job-graph-fixtures.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { metadataFor } from './state-fixtures.js';

const rows = schema([['n', BIGINT]]);
const COUNT_STATE: StateDescriptor = { name: 'count', scope: 'keyed', kind: 'value', valueType: [], description: 'a count per key' };
const counts = (parallelism: number, uid = 'counts') =>
  op(uid, { kind: 'group_aggregate', keys: [], aggregates: [] }, { inputs: [rows], output: rows, parallelism, state: [COUNT_STATE] });

/** Operator `uid`'s state as two subtasks wrote it: keyed state in each half of the key groups, a split list of three items. */
function twoSubtasks(uid: string, kind = 'group_aggregate', empty = false): LoadedOperatorState {
  const keyed = (range: KeyGroupRange, keyGroup: number) => ({
    header: keyedStateHeader(128, range, new Map([['count', 'value' as const]])),
    entries: empty ? [] : [{ state: 'count', keyGroup, key: `["k${keyGroup}"]`, namespace: '', value: keyGroup, hasMapKey: false }],
  });
  const list = (items: string[]) => [{ name: 'buffer', redistribution: 'split' as const, items: empty ? [] : items }];
  return {
    entry: { ...metadataFor(5, []).operators[0]!, uid, id: uid, kind, parallelism: 2 },
    keyed: [keyed({ start: 0, end: 63 }, 10), keyed({ start: 64, end: 127 }, 100)],
    operatorState: [list(['a', 'b']), list(['c'])],
    rawState: [[], []],
  };
}

function checkpoint(operators: LoadedOperatorState[], maxParallelism = 128): LoadedCheckpoint {
  return { metadata: { ...metadataFor(5, []), maxParallelism, operators: operators.map((o) => o.entry) }, description: '/ck/p/chk-5', operators, channelState: [] };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CheckpointRestoreError) return error.message;
    throw error;
  }
  throw new Error('the restore was not refused');
}

describe('matching a checkpoint to a job', () => {
  it('hands keyed state to the subtasks whose key groups it covers and redistributes operator state, at a new parallelism', () => {
    const operator = counts(4);
    const plan = planRestore(graph([operator], []), checkpoint([twoSubtasks('counts')]));
    const restored = [0, 1, 2, 3].map((subtask) => plan.restore(operator, subtask)!);
    expect(restored.map((r) => r.keyed.map((k) => k.header.keyGroupRange.start))).toEqual([[0], [0], [64], [64]]);
    expect(restored.map((r) => r.operatorState[0]!.items)).toEqual([['a'], ['b'], ['c'], []]);
    expect(restored.map((r) => r.checkpointId)).toEqual([5, 5, 5, 5]);
    expect(plan.notes).toEqual([]);
  });

  it('refuses another max parallelism, naming the setting', () => {
    expect(refusal(() => planRestore(graph([counts(1)], []), checkpoint([twoSubtasks('counts')], 256)))).toBe(
      'cannot restore checkpoint 5 (/ck/p/chk-5): it was taken with pipeline.max-parallelism 256 and this job has 128; keyed state is divided into that many key groups, which cannot be remapped\n' +
        "help: set 'pipeline.max-parallelism' = '256' again (parallelism may change freely up to it), or start without the checkpoint",
    );
  });

  it('refuses state whose operator uid is gone unless dropping it is allowed, and notes what starts empty', () => {
    const job = graph([counts(1, 'totals')], []);
    const loaded = checkpoint([twoSubtasks('counts')]);
    expect(refusal(() => planRestore(job, loaded))).toMatch(
      /^cannot restore checkpoint 5 .*: it holds state of operator uid 'counts' \(group_aggregate\), and no operator of this job has that uid\nhelp: put the step with UID 'counts' back, or allow dropping its state \(--allow-non-restored-state/,
    );
    expect(planRestore(job, loaded, { allowNonRestoredState: true }).notes).toEqual([
      "the state of operator uid 'counts' (group_aggregate) in checkpoint 5 (/ck/p/chk-5) is dropped: no operator of the job has that uid",
      "operator uid 'totals' (group_aggregate) is not in checkpoint 5 (/ck/p/chk-5): it starts empty",
    ]);
  });

  it('skips empty state of a uid that is gone', () => {
    expect(planRestore(graph([counts(1)], []), checkpoint([twoSubtasks('counts'), twoSubtasks('old', 'deduplicate', true)])).notes).toEqual([]);
  });

  it('refuses an operator of another kind at the same uid', () => {
    expect(refusal(() => planRestore(graph([counts(1)], []), checkpoint([twoSubtasks('counts', 'window_aggregate')])))).toMatch(
      /operator uid 'counts' was a window_aggregate operator and is a group_aggregate operator in this job\nhelp: give the new step a new UID/,
    );
  });

  it('refuses to rescale a continuous file source, which would read files twice, and restores it at its parallelism', () => {
    const files = (parallelism: number, mode: string) =>
      op('files', { kind: 'source', connector: 'file', options: { path: '/in', format: 'jsonl', mode } }, { output: rows, parallelism });
    const restored = checkpoint([twoSubtasks('files', 'source')]);
    expect(refusal(() => planRestore(graph([files(3, 'continuous')], []), restored))).toMatch(
      /the continuous file source operator uid 'files' ran with parallelism 2 and would run with 3.*\nhelp: restore at parallelism 2/,
    );
    expect(planRestore(graph([files(2, 'continuous')], []), restored).checkpointId).toBe(5);
    expect(planRestore(graph([files(3, 'bounded')], []), restored).checkpointId).toBe(5);
  });
});

describe('records in flight of an unaligned checkpoint', () => {
  const inFlight = (from: string, to: string, toSubtask = 0) => ({
    file: { edge: { from, to, toInput: 0 }, fromSubtask: 0, toSubtask, direction: 'output' as const, path: 'x.inflight', bytes: 1, sha256: '0'.repeat(64), batches: 1, records: 1 },
    batches: [{ rows: [[1]] }],
  });
  const withInFlight = (loaded: LoadedCheckpoint, channelState: LoadedCheckpoint['channelState']): LoadedCheckpoint => ({
    ...loaded,
    metadata: { ...loaded.metadata, unaligned: true },
    channelState,
  });
  const source = (parallelism: number) => feedSource('numbers', rows, parallelism);

  it('hands them to the restore, on an edge the job still has', () => {
    const operator = counts(2);
    const job = graph([source(2), operator], [{ from: 'numbers', to: 'counts', toInput: 0, partitioning: 'rebalance' }]);
    const plan = planRestore(job, withInFlight(checkpoint([twoSubtasks('counts')]), [inFlight('numbers', 'counts')]));
    expect(plan.inFlight.map((s) => s.file.edge)).toEqual([{ from: 'numbers', to: 'counts', toInput: 0 }]);
  });

  it('refuses them on an edge the job no longer has (SLC9240)', () => {
    const job = graph([source(2), counts(2)], [{ from: 'numbers', to: 'counts', toInput: 0, partitioning: 'rebalance' }]);
    const error = thrown(() => planRestore(job, withInFlight(checkpoint([twoSubtasks('counts')]), [inFlight('filter', 'counts')])));
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).code).toBe('SLC9240');
    expect((error as Error).message).toMatch(/^cannot restore checkpoint 5 \(\/ck\/p\/chk-5\): it is an unaligned checkpoint holding records in flight from 'filter' to 'counts'/);
  });

  it('refuses them on a broadcast edge at another parallelism (SLC9241), not at the same one', () => {
    const edges = [{ from: 'numbers', to: 'counts', toInput: 0, partitioning: 'broadcast' as const }];
    const loaded = withInFlight(checkpoint([twoSubtasks('counts'), twoSubtasks('numbers', 'source', true)]), [inFlight('numbers', 'counts')]);
    expect((thrown(() => planRestore(graph([source(2), counts(3)], edges), loaded)) as DiagnosticError).code).toBe('SLC9241');
    expect(planRestore(graph([source(2), counts(2)], edges), loaded).inFlight).toHaveLength(1);
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}
