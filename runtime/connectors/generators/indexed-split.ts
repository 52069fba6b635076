import type { ReadResult, SplitDescriptor, SplitPosition, SplitReader } from '../source-connector.js';
import type { RateLimiter } from './rate-limiter.js';

/**
 * The splits of the generator sources (nexmark, datagen). A generator produces the items of one table, numbered
 * by ordinal k = 0, 1, 2, …, each at an index of the generator's sequence (Nexmark's event number, datagen's row
 * number). Split `subtask` of `splits` takes every `splits`-th item of the range, interleaved rather than in
 * contiguous blocks: every split then walks the whole range at the same pace, so the splits' event times stay
 * monotone and close to each other (contiguous blocks would start each split at a different event time and make
 * watermarks of parallel splits far apart).
 */
export interface GeneratorSplit extends SplitDescriptor {
  readonly subtask: number;
  readonly splits: number;
}

/** A generator split's position: the index (not ordinal) of the next item it will produce. */
export interface GeneratorPosition extends SplitPosition {
  readonly nextIndex: number;
}

/** How a table's items sit in the generator's index sequence. */
export interface IndexSequence {
  /** The index of item `ordinal`. */
  indexOf(ordinal: number): number;
  /** How many items have an index below `index` (the ordinal of the first item at or after it). */
  countBelow(index: number): number;
}

export const IDENTITY_SEQUENCE: IndexSequence = {
  indexOf: (ordinal) => ordinal,
  countBelow: (index) => index,
};

/** Builds the row of the item at `index`. */
export type RowMaker = (index: number) => unknown[];

export function generatorSplits(name: string, splits: number): GeneratorSplit[] {
  return Array.from({ length: splits }, (_, subtask) => ({ id: `${name}-${subtask}-of-${splits}`, subtask, splits }));
}

export interface IndexRange {
  readonly firstIndex: number;
  /** Exclusive; Infinity for an unbounded generator. */
  readonly endIndex: number;
}

export class IndexedSplitReader implements SplitReader {
  readonly splitId: string;
  readonly skippedRows = 0;
  private nextOrdinal: number;
  private readonly endOrdinal: number;
  private readonly step: number;

  constructor(
    split: GeneratorSplit,
    private readonly sequence: IndexSequence,
    range: IndexRange,
    private readonly makeRow: RowMaker,
    private readonly limiter: RateLimiter | undefined,
    position?: SplitPosition,
  ) {
    this.splitId = split.id;
    this.step = split.splits;
    const startOrdinal = sequence.countBelow(range.firstIndex);
    this.endOrdinal = range.endIndex === Infinity ? Infinity : sequence.countBelow(range.endIndex);
    const first = startOrdinal + split.subtask;
    if (position === undefined) {
      this.nextOrdinal = first;
    } else {
      const nextIndex = (position as GeneratorPosition).nextIndex;
      if (!Number.isSafeInteger(nextIndex)) {
        throw new Error(`split ${split.id}: a restored position needs an integer nextIndex, got ${JSON.stringify(position)}`);
      }
      const atOrAfter = Math.max(sequence.countBelow(nextIndex), first);
      this.nextOrdinal = atOrAfter + ((((first - atOrAfter) % this.step) + this.step) % this.step);
    }
  }

  readSync(maxRows: number): ReadResult {
    let n = Math.min(maxRows, Math.ceil((this.endOrdinal - this.nextOrdinal) / this.step));
    if (n <= 0) return { rows: [], status: 'end' };
    if (this.limiter !== undefined) {
      n = this.limiter.grant(n);
      if (n === 0) return { rows: [], status: 'idle', retryAfterMs: this.limiter.retryAfterMs() };
    }
    const rows = new Array<unknown[]>(n);
    let ordinal = this.nextOrdinal;
    for (let i = 0; i < n; i++) {
      rows[i] = this.makeRow(this.sequence.indexOf(ordinal));
      ordinal += this.step;
    }
    this.nextOrdinal = ordinal;
    return { rows, status: ordinal >= this.endOrdinal ? 'end' : 'more' };
  }

  read(maxRows: number): Promise<ReadResult> {
    return Promise.resolve(this.readSync(maxRows));
  }

  position(): GeneratorPosition {
    return { nextIndex: this.sequence.indexOf(this.nextOrdinal) };
  }

  async close(): Promise<void> {}
}
