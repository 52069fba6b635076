import { describe, expect, it } from 'vitest';
import type { BarrierEvent, ChannelEvent } from '../../runtime/channels/channel-event.js';
import { Channel } from '../../runtime/channels/channel.js';
import { InputGate } from '../../runtime/channels/input-gate.js';
import { Signal } from '../../runtime/channels/signal.js';
import { parseInFlightLines, type InFlightChannel } from '../../runtime/checkpoint/channel-state.js';
import type { CheckpointAcknowledgement, CoordinatorPort } from '../../runtime/checkpoint/checkpoint-messages.js';
import { MemoryCheckpointStorage } from '../../runtime/checkpoint/storage/memory-storage.js';
import { TaskCheckpointer, type CheckpointingTask, type UnalignedSettings } from '../../runtime/checkpoint/task-checkpointer.js';
import type { RecordBatch } from '../../runtime/record-batch.js';
import { ManualClock } from '../../runtime/time/clock.js';
import { metadataFor } from './state-fixtures.js';

const EDGE = { from: 'source', to: 'count', toInput: 0 };
const batch = (...values: number[]): RecordBatch => ({ rows: values.map((v) => [v]) });
const barrier = (checkpointId: number, timestamp: number, savepoint = false): BarrierEvent => ({ type: 'barrier', checkpointId, timestamp, savepoint });

/**
 * One task's checkpointer with two input channels, a clock the test moves, and a stub task whose output holds one
 * queued batch: what it snapshots, what it forwards and how, and what it acknowledges, step by step.
 */
function setUp(unaligned: UnalignedSettings, unprocessed: ReadonlyMap<number, RecordBatch> = new Map()) {
  const clock = new ManualClock(0);
  const gate = new InputGate(
    [0, 1].map((from) => ({ reader: new Channel(4), input: 0, name: `c${from}`, edge: EDGE, fromSubtask: from })),
    new Signal(),
  );
  const mail: (() => void | Promise<void>)[] = [];
  const forwarded: { event: ChannelEvent; overtaking: boolean }[] = [];
  const snapshots: number[] = [];
  const task: CheckpointingTask = {
    gate,
    subtask: 0,
    enqueue: (action) => mail.push(action),
    snapshotOperators: (checkpointId) => {
      snapshots.push(checkpointId);
      return Promise.resolve([]);
    },
    emitEvent: (event) => forwarded.push({ event, overtaking: false }),
    unprocessedInput: (channel) => unprocessed.get(channel),
    overtakeOutputs: (event): InFlightChannel[] => {
      forwarded.push({ event, overtaking: true });
      return [{ edge: { from: 'count', to: 'sink', toInput: 0 }, fromSubtask: 0, toSubtask: 0, direction: 'output', batches: [batch(99)] }];
    },
    notifyCheckpointComplete: async () => {},
    release: () => {},
    stopSource: () => {},
  };
  const acks: CheckpointAcknowledgement[] = [];
  const coordinator: CoordinatorPort = { acknowledge: (ack) => acks.push(ack), decline: () => {}, taskFinished: () => {} };
  const storage = new MemoryCheckpointStorage();
  const checkpointer = new TaskCheckpointer('count[0]', false, 'EXACTLY_ONCE', storage, coordinator, unaligned, clock);
  checkpointer.attach(task);
  const runMail = async () => {
    while (mail.length > 0) await mail.shift()!();
  };
  return { clock, gate, forwarded, snapshots, acks, storage, checkpointer, runMail };
}

describe('a task checkpointer with unaligned checkpoints', () => {
  it('starts aligned, switches at the aligned-checkpoint timeout: snapshots, overtakes its output, records the late channel until its barrier', async () => {
    const { clock, gate, forwarded, snapshots, acks, storage, checkpointer, runMail } = setUp({ enabled: true, alignedTimeoutMs: 50 });
    await checkpointer.onControlEvent(0, barrier(1, 0));
    expect(gate.isBlocked(0)).toBe(true);
    checkpointer.onInputBatch(1, batch(1, 2));
    expect(snapshots).toEqual([]);

    clock.advance(50);
    await runMail();
    expect(snapshots).toEqual([1]);
    expect(forwarded).toEqual([{ event: barrier(1, 0), overtaking: true }]);
    expect(gate.isBlocked(0)).toBe(false);

    checkpointer.onInputBatch(1, batch(3));
    checkpointer.onInputBatch(0, batch(7));
    checkpointer.onInputBatch(1, batch(4, 5));
    expect(acks).toEqual([]);
    await checkpointer.onControlEvent(1, barrier(1, 0));
    checkpointer.onInputBatch(1, batch(6));
    await checkpointer.settled();

    expect(acks).toHaveLength(1);
    const ack = acks[0]!;
    expect(ack.unaligned).toBe(true);
    const files = ack.channelState!;
    expect(files.map(({ edge, fromSubtask, toSubtask, direction, batches, records }) => ({ edge, fromSubtask, toSubtask, direction, batches, records }))).toEqual([
      { edge: EDGE, fromSubtask: 1, toSubtask: 0, direction: 'input', batches: 2, records: 3 },
      { edge: { from: 'count', to: 'sink', toInput: 0 }, fromSubtask: 0, toSubtask: 0, direction: 'output', batches: 1, records: 1 },
    ]);
    // The files are written into the checkpoint's storage; what a restore reads back is the batches recorded.
    const stored = await storage.complete(metadataFor(1, []));
    const input = await stored.location.readFile(files[0]!.path);
    expect(parseInFlightLines(input.toString('utf8'))).toEqual([batch(3), batch(4, 5)]);
  });

  it('with a timeout of 0, snapshots at the first barrier and blocks nothing', async () => {
    const { gate, forwarded, snapshots, acks, checkpointer } = setUp({ enabled: true, alignedTimeoutMs: 0 });
    await checkpointer.onControlEvent(1, barrier(2, 0));
    expect(snapshots).toEqual([2]);
    expect(gate.isBlocked(1)).toBe(false);
    expect(forwarded.map((f) => f.overtaking)).toEqual([true]);
    checkpointer.onInputBatch(0, batch(8));
    await checkpointer.onControlEvent(0, barrier(2, 0));
    await checkpointer.settled();
    expect(acks[0]!.channelState!.filter((f) => f.direction === 'input').map((f) => [f.fromSubtask, f.records])).toEqual([[0, 1]]);
  });

  it("records a channel's batch the task was still slicing first: its unprocessed rows come before the channel's barrier", async () => {
    const { acks, storage, checkpointer } = setUp({ enabled: true, alignedTimeoutMs: 0 }, new Map([[0, batch(5, 6)]]));
    await checkpointer.onControlEvent(1, barrier(2, 0));
    checkpointer.onInputBatch(0, batch(7));
    await checkpointer.onControlEvent(0, barrier(2, 0));
    await checkpointer.settled();
    const file = acks[0]!.channelState!.find((f) => f.direction === 'input')!;
    expect([file.fromSubtask, file.records]).toEqual([0, 3]);
    const stored = await storage.complete(metadataFor(2, []));
    const input = await stored.location.readFile(file.path);
    expect(parseInFlightLines(input.toString('utf8'))).toEqual([batch(5, 6), batch(7)]);
  });

  it('takes savepoints aligned, whatever the settings say', async () => {
    const { clock, gate, forwarded, acks, checkpointer, runMail } = setUp({ enabled: true, alignedTimeoutMs: 0 });
    await checkpointer.onControlEvent(0, barrier(3, 0, true));
    expect(gate.isBlocked(0)).toBe(true);
    clock.advance(60_000);
    await runMail();
    checkpointer.onInputBatch(1, batch(1));
    await checkpointer.onControlEvent(1, barrier(3, 0, true));
    await checkpointer.settled();
    expect(forwarded).toEqual([{ event: barrier(3, 0, true), overtaking: false }]);
    expect(acks[0]).toMatchObject({ unaligned: false, channelState: [] });
  });

  it('drops what it recorded when the checkpoint is aborted, and acknowledges nothing', async () => {
    const { acks, checkpointer, runMail } = setUp({ enabled: true, alignedTimeoutMs: 0 });
    await checkpointer.onControlEvent(0, barrier(4, 0));
    checkpointer.onInputBatch(1, batch(1));
    checkpointer.notifyAborted(4);
    await runMail();
    checkpointer.onInputBatch(1, batch(2));
    await checkpointer.onControlEvent(1, barrier(4, 0));
    await checkpointer.settled();
    expect(acks).toEqual([]);
  });
});
