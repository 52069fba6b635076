/**
 * The seam between connectors and the runtime's source operator. A source is divided into splits (a file, a
 * slice of a generator's index range); the runtime assigns splits to subtasks, reads each through a
 * `SplitReader`, and records each reader's `position()` in its checkpoints so that a restored reader continues
 * exactly after the last row it handed out.
 */

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged: what checkpoints store. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * One unit of work of a source, JSON-able (stored in checkpoints as is). `id` is its identity: unique within the
 * source and stable across runs, so that restored and re-enumerated splits can be matched.
 */
export interface SplitDescriptor {
  readonly id: string;
}

/**
 * Where a reader stands in its split, JSON-able: `{ file, byteOffset, line }` for files, `{ nextIndex }` for
 * generators. Opaque to the runtime: it only stores it and passes it back to `createReader`.
 */
export type SplitPosition = { readonly [key: string]: JsonValue };

/**
 * - `more`: more rows are available now; call again.
 * - `idle`: nothing more right now (throttled, or a continuous file waiting for new lines); call again after
 *   `retryAfterMs`. An idle split must not hold the watermark back.
 * - `end`: the split is finished; the rows of this result are its last.
 */
export type ReadStatus = 'more' | 'idle' | 'end';

export interface ReadResult {
  /** Rows in the source schema's column order, values already in their runtime representation (sql-type.ts). */
  readonly rows: unknown[][];
  /**
   * Changelog sources (CDC): the change kind of each row (`RowKind` bytes, record-batch.ts), parallel to `rows`;
   * absent means every row is an insert.
   */
  readonly kinds?: Uint8Array;
  readonly status: ReadStatus;
  /** With `idle`: how long the caller may wait before it is worth calling again. */
  readonly retryAfterMs?: number;
}

export interface SplitReader {
  readonly splitId: string;
  /**
   * Up to `maxRows` rows (fewer is not the end: see `status`). Rejects with a `RowFormatError` (formats/row-error.ts)
   * for a bad row unless the source ignores parse errors, and with an Error naming the file for I/O failures.
   */
  read(maxRows: number): Promise<ReadResult>;
  /**
   * Synchronous readers (the generators) also offer this so the runtime can avoid a promise per batch. Returns
   * `undefined` only when the reader cannot answer synchronously right now; then call `read`.
   */
  readSync?(maxRows: number): ReadResult | undefined;
  /** The position after the last row returned so far; `createReader(split, position)` resumes right there. */
  position(): SplitPosition;
  /** Bad rows skipped so far because the source ignores parse errors (`'format.ignore-parse-errors'`). */
  readonly skippedRows: number;
  /**
   * The checkpoint that recorded `position` (a value `position()` returned at its barrier) is complete: a reader
   * whose upstream keeps a read position of its own (a replication slot) may now let it advance that far. Never
   * called for positions of checkpoints that did not complete.
   */
  notifyCheckpointComplete?(position: SplitPosition): void | Promise<void>;
  close(): Promise<void>;
}

export interface SourceConnector {
  /** The splits that exist now. In continuous mode, later calls to `discoverNewSplits` return only newer ones. */
  enumerateSplits(): Promise<SplitDescriptor[]>;
  /**
   * Continuous sources only: splits that appeared since the last `enumerateSplits`/`discoverNewSplits` call of this
   * instance. The runtime polls it every `discoveryIntervalMs` and dedups by split id against restored splits.
   */
  discoverNewSplits?(): Promise<SplitDescriptor[]>;
  /** Continuous sources only: how often to call `discoverNewSplits`. */
  readonly discoveryIntervalMs?: number;
  /** Whether every split ends (a bounded source lets a job finish). */
  readonly bounded: boolean;
  createReader(split: SplitDescriptor, position?: SplitPosition): SplitReader;
}

/** Milliseconds since the epoch; injected so that throttling and polling are testable. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** What a source connector is created with besides its options and schema. */
export interface SourceContext {
  /** The source operator's parallelism: generators divide their index range into this many splits. */
  readonly parallelism: number;
  readonly clock?: Clock;
  /** Tells the user of a fault the source handled (a file truncated or replaced by log rotation) as a job warning. */
  readonly warn?: (message: string) => void;
}
