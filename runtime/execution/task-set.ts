import type { TaskCheckpointer } from '../checkpoint/task-checkpointer.js';
import type { ChannelEnds } from './build-tasks.js';
import type { StreamTask } from './stream-task.js';
import { taskMetricsSnapshot, type TaskMetricsSnapshot } from './task-metrics.js';

/**
 * The tasks one thread runs (all of an in-process attempt's, or one slot's in a worker) and the channel ends they
 * use. `run` rejects with the first failure once every task has stopped; a failure stops the others.
 */
export class TaskSet {
  private failure: { readonly error: unknown } | undefined;

  constructor(
    readonly tasks: readonly StreamTask[],
    readonly checkpointers: readonly TaskCheckpointer[],
    private readonly ends: ChannelEnds,
  ) {}

  async run(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.run().catch((error: unknown) => this.fail(error))));
    for (const checkpointer of this.checkpointers) checkpointer.taskEnded();
    this.ends.close();
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Whether a task failed (the others are being stopped). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Fails the set with `error` and stops every task. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    this.stop();
  }

  /** Stops every task; `run()` then resolves (unless a task failed). */
  stop(): void {
    for (const task of this.tasks) task.cancel();
    this.ends.close();
  }

  /** Resolves once every running task has served the work handed to it so far (a checkpoint's commits). */
  async mailServed(): Promise<void> {
    await Promise.all(this.tasks.filter((t) => t.finishedAt === undefined && !t.isCancelled).map((t) => new Promise<void>((resolve) => t.enqueue(resolve))));
  }

  /** Resolves once state writes of checkpoints still in flight have ended. */
  async settled(): Promise<void> {
    await Promise.all(this.checkpointers.map((c) => c.settled()));
  }

  metrics(): TaskMetricsSnapshot[] {
    return this.tasks.map(taskMetricsSnapshot);
  }
}
