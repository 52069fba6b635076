/**
 * The counters of one operator subtask: plain fields, bumped once per batch (never per record) by the runtime,
 * read by `job.metrics()`. With worker threads they will be reported by message instead of read in place.
 */
export class OperatorMetrics {
  recordsIn = 0;
  recordsOut = 0;
  /** Rows an event-time operator dropped because they arrived behind the watermark. */
  lateRowsDropped = 0;
  /** Rows a source skipped because they could not be parsed (`'format.ignore-parse-errors' = 'true'`). */
  parseErrorsSkipped = 0;
  /**
   * A restored source tracking its splits (`known-splits`): the splits new since the snapshot it took on (files added
   * to its directory). Null for other sources and when not restored.
   */
  newSplits: number | null = null;
  /** A source in a watermark alignment group: time spent paused, waiting for the group (null for other operators). */
  alignmentPausedMs: number | null = null;
  /** A source in a watermark alignment group: whether it is paused now. */
  alignmentPaused = false;
  /** The last watermark the operator received (or, for a source, emitted). */
  watermark = -Infinity;
}
