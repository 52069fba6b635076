import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { Field } from '../../compiler/types/sql-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import type { ReadResult, SourceConnector, SplitDescriptor, SplitPosition, SplitReader } from '../connectors/source-connector.js';
import { describeJsValue } from '../describe-js-value.js';
import { JobInputError } from '../job-input-error.js';
import { jsRowReader } from './js-row-reader.js';
import { CAST_ACCEPTS, castJsValue } from './js-values.js';

/** Rows fed to a source through the Node API: arrays in column order, or objects by field name. */
export type SourceRow = readonly unknown[] | { readonly [field: string]: unknown };
export type SourceFeed = AsyncIterable<SourceRow> | Iterable<SourceRow>;

const SPLIT: SplitDescriptor = { id: 'feed' };
/** How long an empty read waits for the feed before reporting the split idle. */
const IDLE_WAIT_MS = 20;

/**
 * Reads the rows fed to source `uid`, converted by SQL's cast rules (js-values.ts); a row that does not fit the
 * schema fails with a JobInputError naming the source, the row's index in the feed and the column.
 */
function feedRowReader(uid: string, fields: readonly Field[]): (row: SourceRow, index: number) => unknown[] {
  const columns = fields.map((f) => f.name).join(', ');
  return jsRowReader(fields, castJsValue, (problem, input, row) => {
    switch (problem.kind) {
      case 'not-a-row':
        throw new JobInputError(Diagnostics.FedRowNotARow, { uid, row, value: describeJsValue(input), columns });
      case 'width':
        throw new JobInputError(Diagnostics.FedRowWidth, { uid, row, count: problem.count, width: fields.length, columns });
      case 'unknown-columns': {
        const names = problem.names.map((name) => `'${name}'`).join(', ');
        throw new JobInputError(Diagnostics.FedRowUnknownColumns, { uid, row, names, columns });
      }
      case 'null': {
        const field = fields[problem.column]!;
        throw new JobInputError(Diagnostics.FedNullInNotNull, { uid, row, column: field.name, type: typeToString(field.type) });
      }
      case 'value': {
        const field = fields[problem.column]!;
        const args = { uid, row, column: field.name, type: typeToString(field.type), value: describeJsValue(problem.value) };
        throw new JobInputError(Diagnostics.FedValueMismatch, { ...args, problem: problem.problem, accepted: CAST_ACCEPTS[field.type.name] });
      }
    }
  });
}

/**
 * A source connector over an (async) iterable given to `Job.start` in place of the source's connector. It has
 * one split, so one subtask reads it (the others finish at once, as Flink's sources without splits do). Its
 * position is the number of rows consumed; restoring skips that many rows of a fresh iteration.
 */
export function feedSourceConnector(uid: string, feed: SourceFeed, schema: StreamSchema): SourceConnector {
  const toRow = feedRowReader(uid, schema.fields);
  return {
    bounded: true,
    enumerateSplits: () => Promise.resolve([SPLIT]),
    createReader: (_split, position) => new FeedReader(feed, toRow, typeof position?.['rows'] === 'number' ? position['rows'] : 0),
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
  private readonly iterator: Iterator<SourceRow> | AsyncIterator<SourceRow>;
  private readonly syncIterator: boolean;

  constructor(
    feed: SourceFeed,
    private readonly toRow: (row: SourceRow, index: number) => unknown[],
    private skip: number,
  ) {
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
    // Rows are numbered from the feed's first, skipped ones included: what the caller counts.
    this.buffer.push(this.toRow(row, this.consumed + this.buffer.length));
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
