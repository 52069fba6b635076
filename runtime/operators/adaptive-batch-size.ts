/**
 * Work a source may do per step, reading a batch and pushing it through its chain, before the task's loop gets
 * back control: there it takes barriers and other mail, and yields the event loop to snapshot I/O and timers.
 * Half the task's time slice, so that a step rarely overruns it.
 */
export const SOURCE_STEP_BUDGET_MS = 5;

/**
 * The rows a source asks of a reader per read, bounded by time as well as by the configured batch size: a step
 * that took longer than the budget (a slow UDF in the chain) shrinks the next batch in proportion, one well under
 * it doubles the batch back towards the maximum. Costs a comparison per batch, nothing per row.
 */
export class AdaptiveBatchSize {
  private size: number;

  constructor(
    private readonly maxRows: number,
    private readonly budgetMs: number = SOURCE_STEP_BUDGET_MS,
  ) {
    this.size = maxRows;
  }

  /** Rows to ask for next. */
  get current(): number {
    return this.size;
  }

  /** A step read and processed `rows` rows in `elapsedMs`. */
  record(rows: number, elapsedMs: number): void {
    if (rows === 0) return;
    if (elapsedMs > this.budgetMs) {
      this.size = Math.max(1, Math.min(this.size, Math.floor((rows * this.budgetMs) / elapsedMs)));
    } else if (elapsedMs < this.budgetMs / 2 && rows >= this.size) {
      // Only a full batch tells that a larger one would fit: a short read (the reader had fewer rows) does not.
      this.size = Math.min(this.maxRows, this.size * 2);
    }
  }
}
