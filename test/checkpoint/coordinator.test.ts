import { describe, expect, it } from 'vitest';
import type { CheckpointAcknowledgement, TaskGateway, TriggerOptions } from '../../runtime/checkpoint/checkpoint-messages.js';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import { CheckpointCoordinator, type CoordinatorSettings } from '../../runtime/checkpoint/coordinator.js';
import type { StateFile } from '../../runtime/checkpoint/metadata/metadata-v1.js';
import { MemoryCheckpointStorage } from '../../runtime/checkpoint/storage/memory-storage.js';
import { ManualClock } from '../../runtime/time/clock.js';
import { BIGINT, callbackSink, edge, feedSource, graph, schema } from '../runtime/job-graph-fixtures.js';

const rows = schema([['n', BIGINT]]);
const jobGraph = graph([feedSource('src', rows), callbackSink('out', rows)], [edge('src', 'out', 'rebalance')]);

/** Records what the coordinator asks of a task. */
class FakeTask implements TaskGateway {
  readonly calls: string[] = [];
  constructor(
    readonly name: string,
    readonly isSource: boolean,
  ) {}
  trigger(checkpointId: number, _timestamp: number, options?: TriggerOptions): void {
    this.calls.push(`trigger ${checkpointId}${options?.savepoint === true ? ' savepoint' : ''}${options?.suspend === true ? ' suspend' : ''}`);
  }
  notifyComplete(checkpointId: number): void {
    this.calls.push(`complete ${checkpointId}`);
  }
  notifyAborted(checkpointId: number): void {
    this.calls.push(`aborted ${checkpointId}`);
  }
  release(): void {
    this.calls.push('release');
  }
  drain(): void {
    this.calls.push('drain');
  }
}

/** Memory storage that remembers which checkpoints were discarded. */
class RecordingStorage extends MemoryCheckpointStorage {
  readonly discarded: number[] = [];
  override discard(checkpointId: number): Promise<void> {
    this.discarded.push(checkpointId);
    return super.discard(checkpointId);
  }
}

const FILE: StateFile = { path: 'x.kstate', bytes: 3, sha256: 'a'.repeat(64), keyGroupRange: { start: 0, end: 127 } };

function ack(task: FakeTask, checkpointId: number, files: StateFile[] = []): CheckpointAcknowledgement {
  const operatorId = task.name.slice(0, task.name.indexOf('['));
  return {
    checkpointId,
    task: task.name,
    operators: [{ operatorId, uid: operatorId, bytes: files.length * 3, state: { subtask: 0, keyGroupRange: { start: 0, end: 127 }, keyedState: files, operatorState: [], rawState: [] } }],
    alignmentMs: 2,
    syncMs: 1,
    asyncMs: 5,
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setUp(settings: Partial<CoordinatorSettings> = {}) {
  const clock = new ManualClock(0);
  const storage = new RecordingStorage();
  const source = new FakeTask('src[0]', true);
  const sink = new FakeTask('out[0]', false);
  const events = { started: [] as number[], completed: [] as CheckpointStats[], aborted: [] as CheckpointStats[], failed: [] as Error[] };
  const coordinator = new CheckpointCoordinator({
    settings: { intervalMs: 100, timeoutMs: 10_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 0, numRetained: 1, ...settings },
    storage,
    clock,
    graph: jobGraph,
    jobId: 'job-1',
    lineage: 'lineage-1',
    firstCheckpointId: 1,
    found: [],
    events: {
      started: (e) => events.started.push(e.checkpointId),
      completed: (s) => events.completed.push(s),
      aborted: (s) => events.aborted.push(s),
      failed: (e) => events.failed.push(e),
    },
  });
  coordinator.start([source, sink]);
  return { clock, storage, source, sink, events, coordinator };
}

describe('the checkpoint coordinator', () => {
  it('triggers every interval at the sources only, and completes a checkpoint once every task acknowledged it', async () => {
    const { clock, storage, source, sink, events, coordinator } = setUp();
    clock.advance(99);
    expect(source.calls).toEqual([]);
    clock.advance(1);
    expect(source.calls).toEqual(['trigger 1']);
    expect(sink.calls).toEqual([]);
    expect(events.started).toEqual([1]);

    clock.advance(30);
    source.calls.length = 0;
    coordinator.acknowledge(ack(source, 1));
    coordinator.acknowledge(ack(sink, 1, [FILE, { ...FILE, path: 'y.kstate', bytes: 4 }]));
    await flush();
    expect(events.completed.map((s) => [s.checkpointId, s.status, s.durationMs, s.acknowledgedTasks, s.asyncMs])).toEqual([[1, 'completed', 30, 2, 5]]);
    // Per subtask: what it wrote, and the state its files hold.
    expect(events.completed[0]!.subtasks.map((s) => [s.operatorId, s.bytes, s.stateBytes]).sort()).toEqual([['out', 6, 7], ['src', 0, 0]]);
    expect(source.calls).toEqual(['complete 1']);
    expect(sink.calls).toEqual(['complete 1']);
    const { completed } = await storage.recover();
    expect(completed.map((c) => c.metadata.checkpointId)).toEqual([1]);
    expect(completed[0]!.metadata).toMatchObject({ jobId: 'job-1', pipelineName: 'test', timestamp: 100, maxParallelism: 128, stateBackend: 'memory' });
    expect(completed[0]!.metadata.operators.map((op) => [op.uid, op.subtasks.length])).toEqual([
      ['src', 1],
      ['out', 1],
    ]);
  });

  it('triggers no second checkpoint while max-concurrent are pending, and the next once one completes', async () => {
    const { clock, source, sink, coordinator } = setUp({ maxConcurrent: 1 });
    clock.advance(100);
    clock.advance(200);
    expect(source.calls).toEqual(['trigger 1']);
    coordinator.acknowledge(ack(source, 1));
    coordinator.acknowledge(ack(sink, 1));
    await flush();
    clock.advance(0);
    expect(source.calls).toEqual(['trigger 1', 'complete 1', 'trigger 2']);
  });

  it('waits min-pause after a checkpoint ended before starting the next', async () => {
    const { clock, source, sink, coordinator } = setUp({ minPauseMs: 250, maxConcurrent: 5 });
    clock.advance(100);
    clock.advance(50);
    coordinator.acknowledge(ack(source, 1));
    coordinator.acknowledge(ack(sink, 1));
    await flush();
    clock.advance(249);
    expect(source.calls).toEqual(['trigger 1', 'complete 1']);
    clock.advance(1);
    expect(source.calls).toEqual(['trigger 1', 'complete 1', 'trigger 2']);
  });

  it('aborts an expired checkpoint, discards what it wrote, tells the tasks, and lets a later one proceed', async () => {
    const { clock, storage, source, sink, events, coordinator } = setUp({ timeoutMs: 500, tolerableFailures: 1 });
    clock.advance(100);
    coordinator.acknowledge(ack(source, 1, [FILE]));
    clock.advance(500);
    expect(events.aborted.map((s) => [s.checkpointId, s.acknowledgedTasks])).toEqual([[1, 1]]);
    expect(events.aborted[0]!.failure).toMatch(/^expired: not acknowledged by every task within 500 ms \(1 of 2 did\)/);
    expect(storage.discarded).toEqual([1]);
    expect(sink.calls).toEqual(['aborted 1']);
    clock.advance(0);
    expect(source.calls.at(-1)).toBe('trigger 2');
    coordinator.acknowledge(ack(source, 2));
    coordinator.acknowledge(ack(sink, 2));
    await flush();
    expect(events.completed.map((s) => s.checkpointId)).toEqual([2]);
    expect(events.failed).toEqual([]);
  });

  it('fails the job when more checkpoints fail in a row than tolerated', () => {
    const { clock, events } = setUp({ timeoutMs: 500, tolerableFailures: 1 });
    clock.advance(100);
    clock.advance(500);
    expect(events.failed).toEqual([]);
    clock.advance(0);
    clock.advance(500);
    expect(events.aborted.map((s) => s.checkpointId)).toEqual([1, 2]);
    expect(events.failed[0]?.message).toMatch(/checkpoint 2 failed: expired.*2 failed checkpoint\(s\) in a row and 'execution.checkpointing.tolerable-failed-checkpoints' is 1/);
  });

  it('does not count a checkpoint declined because a newer one overtook it as a failure', () => {
    const { clock, events, coordinator } = setUp({ tolerableFailures: 0 });
    clock.advance(100);
    coordinator.decline('out[0]', 1, 'a newer checkpoint reached it first', false);
    expect(events.aborted[0]!.failure).toBe('task out[0] declined it: a newer checkpoint reached it first');
    expect(events.failed).toEqual([]);
  });

  it('discards the files of an acknowledgement that arrives after its checkpoint was aborted', () => {
    const { clock, storage, source, sink, coordinator } = setUp({ timeoutMs: 500, tolerableFailures: 5 });
    clock.advance(100);
    clock.advance(500);
    expect(storage.discarded).toEqual([1]);
    coordinator.acknowledge(ack(sink, 1, [FILE]));
    expect(storage.discarded).toEqual([1, 1]);
    expect(source.calls).toEqual(['trigger 1', 'aborted 1']);
  });

  it('keeps num-retained completed checkpoints and discards older ones', async () => {
    const { clock, storage, source, sink, coordinator } = setUp({ numRetained: 2 });
    for (const id of [1, 2, 3]) {
      clock.advance(100);
      coordinator.acknowledge(ack(source, id));
      coordinator.acknowledge(ack(sink, id));
      await flush();
    }
    expect(storage.discarded).toEqual([1]);
    expect((await storage.recover()).completed.map((c) => c.metadata.checkpointId)).toEqual([2, 3]);
    expect(coordinator.completedNewestFirst().map((c) => c.metadata.checkpointId)).toEqual([3, 2]);
  });

  it('asks a finished task for its final state, and once every task finished takes the final checkpoint and releases them', async () => {
    const { clock, source, sink, events, coordinator } = setUp();
    clock.advance(100);
    coordinator.taskFinished('out[0]');
    expect(sink.calls).toEqual(['trigger 1']);
    coordinator.taskFinished('src[0]');
    // Asked again for checkpoint 1 as a finished task; a task snapshots each checkpoint once.
    expect(source.calls).toEqual(['trigger 1', 'trigger 1', 'trigger 2']);
    expect(sink.calls).toEqual(['trigger 1', 'trigger 2']);
    for (const id of [1, 2]) for (const task of [source, sink]) coordinator.acknowledge(ack(task, id));
    await flush();
    expect(events.completed.map((s) => [s.checkpointId, s.final])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(sink.calls.slice(2)).toEqual(['complete 1', 'complete 2', 'release']);
    clock.advance(1000);
    expect(events.started).toEqual([1, 2]);
  });

  it('aborts an older checkpoint acknowledged after a newer one, so the final checkpoint stays the last completed', async () => {
    const { clock, storage, source, sink, events, coordinator } = setUp();
    clock.advance(100);
    coordinator.taskFinished('out[0]');
    coordinator.taskFinished('src[0]');
    // The final checkpoint 2 is acknowledged before checkpoint 1 (whose asynchronous writes took longer).
    for (const id of [2, 1]) for (const task of [source, sink]) coordinator.acknowledge(ack(task, id, [FILE]));
    await flush();
    expect(events.completed.map((s) => [s.checkpointId, s.final])).toEqual([[2, true]]);
    expect(events.aborted.map((s) => [s.checkpointId, s.failure])).toEqual([[1, 'subsumed by checkpoint 2']]);
    expect(storage.discarded).toEqual([1]);
    expect((await storage.recover()).completed.map((c) => c.metadata.checkpointId)).toEqual([2]);
    expect(sink.calls.slice(2)).toEqual(['complete 2', 'release', 'aborted 1']);
  });

  it('asks a task that finishes while a savepoint is pending for a savepoint, never for a checkpoint of its chain', async () => {
    const { source, sink, events, coordinator } = setUp();
    const savepoint = coordinator.requestCheckpoint({ savepoint: new MemoryCheckpointStorage(), stop: 'suspend' });
    expect(source.calls).toEqual(['trigger 1 savepoint suspend']);
    // The sink finishes before the savepoint's barrier reaches it: its final state is written for the savepoint.
    coordinator.taskFinished('out[0]');
    expect(sink.calls).toEqual(['trigger 1 savepoint suspend']);
    for (const task of [source, sink]) coordinator.acknowledge(ack(task, 1));
    await savepoint;
    expect(events.completed.map((s) => s.checkpointId)).toEqual([1]);
  });


  it('starts no periodic checkpoint once a stop with a savepoint is asked for, and starts them again when it fails', async () => {
    const { clock, source, sink, events, coordinator } = setUp({ tolerableFailures: 3, timeoutMs: 500 });
    const first = coordinator.requestCheckpoint({ savepoint: new MemoryCheckpointStorage(), stop: 'suspend' });
    // The stop times out: the job goes on, and so does the schedule.
    clock.advance(500);
    await expect(first).rejects.toThrow(/checkpoint 1 was aborted: expired/);
    clock.advance(100);
    expect(events.started).toEqual([1, 2]);
    for (const task of [source, sink]) coordinator.acknowledge(ack(task, 2));
    await flush();

    const stop = coordinator.requestCheckpoint({ savepoint: new MemoryCheckpointStorage(), stop: 'suspend' });
    clock.advance(100);
    for (const task of [source, sink]) coordinator.acknowledge(ack(task, 3));
    await stop;
    // The sources stopped after the savepoint's barrier and the job is about to end: a checkpoint started now would
    // be cut short by the end, and its failure would restart the job.
    clock.advance(1000);
    expect(events.started).toEqual([1, 2, 3]);
    await expect(coordinator.requestCheckpoint({ stop: 'suspend' })).rejects.toThrow('the job is already stopping');
  });
  it('makes a stop with a savepoint pending when the input ends the final checkpoint, rather than subsuming it with another', async () => {
    const { source, sink, events, coordinator } = setUp();
    const stop = coordinator.requestCheckpoint({ savepoint: new MemoryCheckpointStorage(), stop: 'suspend' });
    coordinator.taskFinished('src[0]');
    coordinator.taskFinished('out[0]');
    expect(events.started).toEqual([1]);
    for (const task of [source, sink]) coordinator.acknowledge(ack(task, 1));
    await expect(stop).resolves.toBeDefined();
    expect(events.completed.map((s) => [s.checkpointId, s.final])).toEqual([[1, true]]);
    expect(sink.calls).toEqual(['trigger 1 savepoint suspend', 'complete 1', 'release']);
  });

  it('takes the final checkpoint again when it fails', () => {
    const { clock, source, sink, events, coordinator } = setUp({ timeoutMs: 500, tolerableFailures: 3 });
    coordinator.taskFinished('src[0]');
    coordinator.taskFinished('out[0]');
    clock.advance(500);
    expect(events.aborted.map((s) => [s.checkpointId, s.final])).toEqual([[1, true]]);
    expect(events.started).toEqual([1, 2]);
    expect(sink.calls).toEqual(['trigger 1', 'aborted 1', 'trigger 2']);
    expect(source.calls.at(-1)).toBe('trigger 2');
  });

  it('aborts what is pending when stopped, without counting it, and numbers the next attempt’s checkpoints on', async () => {
    const { clock, source, sink, events, coordinator } = setUp({ tolerableFailures: 0 });
    clock.advance(100);
    await coordinator.stop();
    expect(events.aborted.map((s) => s.failure)).toEqual(['the job stopped before it completed']);
    expect(events.failed).toEqual([]);
    clock.advance(1000);
    expect(events.started).toEqual([1]);
    coordinator.start([source, sink]);
    clock.advance(100);
    expect(events.started).toEqual([1, 2]);
  });
});
