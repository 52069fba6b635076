import type { OperatorMetrics } from '../operators/operator-metrics.js';
import type { StreamTask } from './stream-task.js';

/** One operator subtask's counters, as plain data. */
export interface OperatorSubtaskCounters extends Readonly<OperatorMetrics> {
  readonly operatorId: string;
  readonly subtask: number;
}

/**
 * One task's counters and times at one moment, as plain data: read in place for tasks of this thread, reported
 * by message for tasks in worker threads. Times are milliseconds since the epoch (threads have their own clocks'
 * origins for `performance.now()`).
 */
export interface TaskMetricsSnapshot {
  /** `<chain>[<subtask>]`. */
  readonly name: string;
  readonly chainId: string;
  readonly subtask: number;
  readonly startedAt: number;
  readonly backpressuredMs: number;
  readonly idleMs: number;
  readonly operators: readonly OperatorSubtaskCounters[];
}

/** Now, in the epoch milliseconds of TaskMetricsSnapshot, with `performance.now()`'s resolution. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export function taskMetricsSnapshot(task: StreamTask): TaskMetricsSnapshot {
  return {
    name: task.name,
    chainId: task.options.chainId,
    subtask: task.options.subtask,
    startedAt: performance.timeOrigin + task.startedAt,
    backpressuredMs: task.backpressuredMs,
    idleMs: task.idleMs,
    operators: task.hosts.map((host) => {
      const { recordsIn, recordsOut, lateRowsDropped, parseErrorsSkipped, newSplits, alignmentPausedMs, alignmentPaused, watermark } = host.metrics;
      return {
        operatorId: host.operator.id,
        subtask: host.subtask,
        recordsIn,
        recordsOut,
        lateRowsDropped,
        parseErrorsSkipped,
        newSplits,
        alignmentPausedMs,
        alignmentPaused,
        watermark,
      };
    }),
  };
}
