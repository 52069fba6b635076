import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { ReadResult, SourceConnector, SplitDescriptor, SplitPosition, SplitReader } from '../connectors/source-connector.js';

/** Rows fed to a source through the Node API: arrays in column order, or objects by field name. */
export type SourceRow = readonly unknown[] | { readonly [field: string]: unknown };
export type SourceFeed = AsyncIterable<SourceRow> | Iterable<SourceRow>;

const SPLIT: SplitDescriptor = { id: 'feed' };
/** How long an empty read waits for the feed before reporting the split idle. */
const IDLE_WAIT_MS = 20;

/**
 * A source connector over an (async) iterable given to `Job.start` in place of the source's connector. It has
 * one split, so one subtask reads it (the others finish at once, as Flink's sources without splits do). Its
 * position is the number of rows consumed; restoring skips that many rows of a fresh iteration.
 */
export function feedSourceConnector(feed: SourceFeed, schema: StreamSchema): SourceConnector {
  return {
    bounded: true,
    enumerateSplits: () => Promise.resolve([SPLIT]),
    createReader: (_split, position) => new FeedReader(feed, schema, typeof position?.['rows'] === 'number' ? position['rows'] : 0),
  };
}

class FeedReader implements SplitReader {
  readonly splitId = SPLIT.id;
  readonly skippedRows = 0;
  private readonly buffer: unknown[][] = [];
  private consumed = 0;
  private done = false;
  private closed = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private readonly toRow: (row: SourceRow) => unknown[];
  private readonly iterator: Iterator<SourceRow> | AsyncIterator<SourceRow>;
  private readonly syncIterator: boolean;

  constructor(
    feed: SourceFeed,
    schema: StreamSchema,
    private skip: number,
  ) {
    const timestampColumns = schema.fields.flatMap((f, i) => (f.type.name === 'TIMESTAMP' ? [i] : []));
    const names = schema.fields.map((f) => f.name);
    this.toRow = (row) => {
      const values = Array.isArray(row) ? row.slice() : names.map((name) => (row as Record<string, unknown>)[name] ?? null);
      for (const i of timestampColumns) if (values[i] instanceof Date) values[i] = (values[i] as Date).getTime();
      return values;
    };
    this.syncIterator = Symbol.iterator in feed;
    this.iterator = Symbol.iterator in feed ? feed[Symbol.iterator]() : feed[Symbol.asyncIterator]();
    if (!this.syncIterator) void this.pump();
  }

  /** Drains an async feed into the buffer in the background (it is bounded by the feed's own pace). */
  private async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await (this.iterator as AsyncIterator<SourceRow>).next();
        if (next.done === true || this.closed) break;
        this.accept(next.value);
        this.wake?.();
        while (this.buffer.length >= 4096) await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
    } catch (error) {
      this.failure = error;
    }
    this.done = true;
    this.wake?.();
  }

  private accept(row: SourceRow): void {
    if (this.skip > 0) {
      this.skip--;
      this.consumed++;
      return;
    }
    this.buffer.push(this.toRow(row));
  }

  readSync(maxRows: number): ReadResult | undefined {
    if (!this.syncIterator) return undefined;
    const iterator = this.iterator as Iterator<SourceRow>;
    while (this.buffer.length < maxRows) {
      const next = iterator.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      this.accept(next.value);
    }
    return this.take(maxRows);
  }

  async read(maxRows: number): Promise<ReadResult> {
    if (this.syncIterator) return this.readSync(maxRows)!;
    if (this.buffer.length === 0 && !this.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          // Let the feed run on for a turn, so that one read returns what arrived together, not row by row.
          setImmediate(resolve);
        };
      });
      this.wake = undefined;
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.buffer.length === 0 && !this.done) return { rows: [], status: 'idle', retryAfterMs: 0 };
    return this.take(maxRows);
  }

  private take(maxRows: number): ReadResult {
    const rows = this.buffer.length <= maxRows ? this.buffer.splice(0) : this.buffer.splice(0, maxRows);
    this.consumed += rows.length;
    return { rows, status: this.done && this.buffer.length === 0 ? 'end' : 'more' };
  }

  position(): SplitPosition {
    return { rows: this.consumed };
  }

  close(): Promise<void> {
    this.closed = true;
    this.done = true;
    const iterator = this.iterator;
    return Promise.resolve(iterator.return?.()).then(() => undefined);
  }
}
