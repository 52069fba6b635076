import type { Accumulator } from './accumulators.js';

/** Slots of the table: a HOP's windows of one key in one batch are size / slide consecutive starts, usually few. */
const SLOTS = 64;

/**
 * The windows of the current key that its rows of one batch touched, so that each window's state is read once
 * per key and batch: columns in a small table addressed by the window's start in units of the slide, instead of
 * an object (and two boxed timestamps) per key, window and batch in a Map. A window whose slot another window of
 * the same batch needs (a batch spanning more than SLOTS slides, or carried windows sharing a start) is handed to
 * `store` early and leaves the table; it is then found in state like any stored window, so the result is the same.
 */
export class TouchedWindows {
  private readonly starts = new Float64Array(SLOTS);
  private readonly ends = new Float64Array(SLOTS);
  private readonly accs: (Accumulator | undefined)[] = new Array<Accumulator | undefined>(SLOTS).fill(undefined);
  /** 1: the window was not in state (store it and register its timer when the key is done). */
  private readonly fresh = new Uint8Array(SLOTS);
  /** Occupied slots in order of first use, for `flush`. */
  private readonly order = new Int32Array(SLOTS);
  private count = 0;

  /**
   * `unit`: the windows' slide (starts are multiples of it), or 1 when they have none; `load`: a window's
   * accumulators in state, to change in place (undefined: a new window, then `create`d); `store`: a window leaves
   * the table (`isNew`: it was not in state).
   */
  constructor(
    private readonly unit: number,
    private readonly load: (start: number, end: number) => Accumulator | undefined,
    private readonly create: () => Accumulator,
    private readonly store: (start: number, end: number, acc: Accumulator, isNew: boolean) => void,
  ) {}

  /** The accumulators of window (start, end) of the current key. */
  get(start: number, end: number): Accumulator {
    const slot = Math.floor(start / this.unit) & (SLOTS - 1);
    const held = this.accs[slot];
    if (held !== undefined) {
      if (this.starts[slot] === start && this.ends[slot] === end) return held;
      this.store(this.starts[slot]!, this.ends[slot]!, held, this.fresh[slot] === 1);
    } else {
      this.order[this.count++] = slot;
    }
    const stored = this.load(start, end);
    const acc = stored ?? this.create();
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.accs[slot] = acc;
    this.fresh[slot] = stored === undefined ? 1 : 0;
    return acc;
  }

  /** Stores every window, in order of first use, and empties the table: the current key is done. */
  flush(): void {
    for (let i = 0; i < this.count; i++) {
      const slot = this.order[i]!;
      this.store(this.starts[slot]!, this.ends[slot]!, this.accs[slot]!, this.fresh[slot] === 1);
      this.accs[slot] = undefined;
    }
    this.count = 0;
  }

  /** Empties the table without handing anything on (a failed batch). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.accs[this.order[i]!] = undefined;
    this.count = 0;
  }
}
