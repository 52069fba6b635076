import type { Committable, SinkWriter } from '../connectors/sink-connector.js';

/**
 * Reads a sink through a callback given to `Job.start` (by sink uid) instead of its connector. The callback gets
 * each batch as it arrives (rows in the sink schema's column order, `kinds` for upsert streams) and the subtask.
 * If it returns a promise, the sink waits for it at its next flush (every 8,192 rows, at checkpoints and at the
 * end), or sooner with `maxInFlight`, so a slow callback back-pressures the job; a rejection fails the job.
 * Batches must not be modified; copy rows to keep them past the call if needed.
 */
export type SinkCallback = (
  rows: readonly (readonly unknown[])[],
  info: { readonly subtask: number; readonly kinds?: Uint8Array },
) => unknown;

/** A sink callback with how many of its calls (per subtask) may be unsettled at once. */
export interface CallbackSinkOptions {
  readonly callback: SinkCallback;
  /**
   * Calls whose promises may be pending at once, per subtask; when reached, the sink waits for them before it
   * takes the next batch. `1`: one call at a time, in order. Default: unbounded (the sink waits at its flushes).
   */
  readonly maxInFlight?: number;
}

/** What `JobOptions.sinks` maps a sink uid to: a callback, or a callback with options. */
export type SinkTarget = SinkCallback | CallbackSinkOptions;

export class CallbackSinkWriter implements SinkWriter {
  private inFlight: Promise<void>[] = [];
  /** The first rejection, kept so that it is reported at the next flush rather than as an unhandled rejection. */
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly callback: SinkCallback,
    private readonly subtask: number,
    private readonly maxInFlight = Infinity,
  ) {}

  /** With `maxInFlight` calls pending, the sink flushes (waits for them) before its next batch. */
  get flushEachBatch(): boolean {
    return this.inFlight.length >= this.maxInFlight;
  }

  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void {
    const result = this.callback(rows, kinds === undefined ? { subtask: this.subtask } : { subtask: this.subtask, kinds });
    // Whatever else a callback returns (`rows => out.push(...rows)`) is ignored: only promises are awaited.
    if (result instanceof Promise) {
      this.inFlight.push(
        result.then(undefined, (error: unknown) => {
          this.failure ??= { error };
        }),
      );
    }
  }

  async flush(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = [];
    await Promise.all(inFlight);
    if (this.failure !== undefined) throw this.failure.error;
  }

  async preCommit(): Promise<Committable[]> {
    await this.flush();
    return [];
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {
    this.inFlight = [];
  }

  async recover(): Promise<void> {}

  async close(): Promise<void> {
    await this.flush();
  }
}
