import { describe, expect, it } from 'vitest';
import type { CoordinatorPort } from '../../runtime/checkpoint/checkpoint-messages.js';
import type { CheckpointStorage } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { TaskCheckpointer, type CheckpointingTask } from '../../runtime/checkpoint/task-checkpointer.js';

/**
 * A snapshot that fails (a sink that cannot write or sync its part file at the barrier) declines the checkpoint:
 * the coordinator must never complete a checkpoint one of whose participants could not take its part. The task
 * then fails with the error itself.
 */
describe('a task whose snapshot fails', () => {
  it('declines the checkpoint, sends no barrier on, and fails with the error', async () => {
    const mail: (() => void | Promise<void>)[] = [];
    const emitted: unknown[] = [];
    const task: CheckpointingTask = {
      gate: undefined,
      subtask: 0,
      enqueue: (action) => mail.push(action),
      snapshotOperators: () => Promise.reject(new Error("file sink 'out' cannot write out/.part-r-0-0.jsonl.inprogress: ENOSPC\nhelp …")),
      emitEvent: (event) => emitted.push(event),
      unprocessedInput: () => undefined,
      overtakeOutputs: (event) => {
        emitted.push(event);
        return [];
      },
      notifyCheckpointComplete: async () => {},
      release: () => {},
      stopSource: () => {},
    };
    const declines: unknown[][] = [];
    const acks: unknown[] = [];
    const coordinator: CoordinatorPort = {
      acknowledge: (ack) => acks.push(ack),
      decline: (...args) => declines.push(args),
      taskFinished: () => {},
    };
    const checkpointer = new TaskCheckpointer('src[0]', true, 'EXACTLY_ONCE', {} as CheckpointStorage, coordinator);
    checkpointer.attach(task);
    checkpointer.trigger(3, 1000);
    await expect(mail.shift()!()).rejects.toThrow(/ENOSPC/);
    expect(declines).toEqual([['src[0]', 3, "its snapshot failed: file sink 'out' cannot write out/.part-r-0-0.jsonl.inprogress: ENOSPC", false]]);
    expect(acks).toEqual([]);
    expect(emitted).toEqual([]);
  });
});
