import type { Accumulator, AccumulatorSet } from './accumulators.js';
import type { WindowState } from './window-state.js';

type Row = readonly unknown[];

/** A session of the current key while a batch is merged into it. */
interface Session {
  start: number;
  end: number;
  acc: Accumulator;
  /** The bounds under which this session (and every session merged into it) is stored in state. */
  readonly stored: [number, number][];
  /** Whether rows were added (so it is written back). */
  touched: boolean;
  /** COUNT(DISTINCT) values added in this batch, per distinct call: value → times seen. */
  readonly values: Map<unknown, number>[];
}

/**
 * SESSION windows of one key: a row at time t opens the session [t, t + gap); sessions that overlap or touch
 * merge into one spanning both, so a session ends at its last row's time plus the gap. Merging happens in
 * memory for all of a key's rows in a batch, then state is written once: sessions merged or extended are
 * stored under their new bounds (their old entries, timers and distinct values moved), as the declared
 * `windows` state describes. A row whose session would already have fired (t + gap - 1 <= watermark) and that
 * touches no open session is late. Merged sessions combine their accumulators in session order (FIRST_VALUE
 * from the earlier, LAST_VALUE from the later).
 */
export class SessionWindows {
  constructor(
    private readonly gapMs: number,
    private readonly timeIndex: number,
    private readonly accumulators: AccumulatorSet,
  ) {}

  /**
   * Adds `rows[i]` for each `i` of `order[from]` … `order[to - 1]` (all of the current key) to its sessions;
   * returns how many were late.
   */
  addRows(rows: readonly Row[], order: Int32Array, from: number, to: number, state: WindowState, watermark: number): number {
    const sessions: Session[] = state.all().map((w) => ({
      start: w.start,
      end: w.end,
      acc: w.acc,
      stored: [[w.start, w.end]],
      touched: false,
      values: [],
    }));
    let late = 0;
    for (let r = from; r < to; r++) {
      const row = rows[order[r]!]!;
      const time = row[this.timeIndex];
      if (typeof time !== 'number') continue;
      const session = this.sessionFor(sessions, time, watermark);
      if (session === undefined) {
        late++;
        continue;
      }
      this.accumulators.add(session.acc, row);
      this.collectDistinct(session, row);
    }
    for (const session of sessions) if (session.touched) this.write(session, state);
    return late;
  }

  /** The session `time` falls into after merging, or undefined when the row is late. */
  private sessionFor(sessions: Session[], time: number, watermark: number): Session | undefined {
    const end = time + this.gapMs;
    let first = sessions.findIndex((s) => s.start <= end && time <= s.end);
    if (first < 0) {
      if (end - 1 <= watermark) return undefined;
      const created: Session = { start: time, end, acc: this.accumulators.create(), stored: [], touched: true, values: [] };
      const at = sessions.findIndex((s) => s.start > time);
      sessions.splice(at < 0 ? sessions.length : at, 0, created);
      return created;
    }
    const target = sessions[first]!;
    if (!target.touched) {
      target.acc = target.acc.slice();
      target.touched = true;
    }
    target.start = Math.min(target.start, time);
    target.end = Math.max(target.end, end);
    // Sessions are ordered and disjoint: the ones after `first` that the grown session reaches merge into it.
    while (first + 1 < sessions.length && sessions[first + 1]!.start <= target.end) {
      const later = sessions.splice(first + 1, 1)[0]!;
      this.accumulators.merge(target.acc, later.acc);
      target.end = Math.max(target.end, later.end);
      target.stored.push(...later.stored);
      later.values.forEach((values, d) => {
        for (const [value, times] of values) this.countValue(target, d, value, times);
      });
    }
    return target;
  }

  private collectDistinct(session: Session, row: Row): void {
    const calls = this.accumulators.distinctCalls;
    for (let d = 0; d < calls.length; d++) {
      const value = calls[d]!.argument(row);
      if (value !== null) this.countValue(session, d, value, 1);
    }
  }

  private countValue(session: Session, d: number, value: unknown, times: number): void {
    const values = (session.values[d] ??= new Map());
    values.set(value, (values.get(value) ?? 0) + times);
  }

  /** Writes a session back: in place when its bounds are unchanged, else moved to its new bounds. */
  private write(session: Session, state: WindowState): void {
    const { start, end, acc, stored } = session;
    const inPlace = stored.length === 1 && stored[0]![0] === start && stored[0]![1] === end;
    if (!inPlace) {
      for (const [s, e] of stored) state.remove(s, e, true);
      if (stored.length > 0) state.moveDistinct(stored, start, end, acc);
    }
    session.values.forEach((values, d) => {
      for (const [value, times] of values) state.addDistinctValue(d, start, end, value, times, acc);
    });
    state.put(start, end, acc, !inPlace);
  }
}
