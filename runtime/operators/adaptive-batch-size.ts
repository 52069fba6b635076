/**
 * Work a task may do per step before its loop gets back control: a source reading a batch and pushing it through
 * its chain, or a task behind a network channel processing a slice of an input batch. Between steps the loop
 * takes barriers and other mail, and yields the event loop to snapshot I/O and timers. Half the task's time
 * slice, so that a step rarely overruns it.
 */
export const STEP_BUDGET_MS = 5;

/**
 * The rows of a step (a source's read, a slice of an input batch), bounded by time as well as by `maxRows`: a
 * step that took longer than the budget (a slow UDF in the chain) shrinks the next one in proportion, one well
 * under it doubles the size back towards the maximum. Costs a comparison per step, nothing per row.
 */
export class AdaptiveBatchSize {
  private size: number;

  constructor(
    private readonly maxRows: number,
    private readonly budgetMs: number = STEP_BUDGET_MS,
    initialRows: number = maxRows,
  ) {
    this.size = Math.min(initialRows, maxRows);
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
      // Only a full step tells that a larger one would fit: a short read (the reader had fewer rows) does not.
      this.size = Math.min(this.maxRows, this.size * 2);
    }
  }
}
