/**
 * Processing time, injected (STYLE 12) so that processing-time timers, rates and idleness are testable without
 * sleeping. `setTimer` calls back once `now()` has reached `at`; the returned function cancels it.
 */
export interface Clock {
  now(): number;
  setTimer(at: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: Date.now,
  setTimer(at, callback) {
    const handle = setTimeout(callback, Math.max(0, at - Date.now()));
    return () => clearTimeout(handle);
  },
};

/** A clock that only moves when told to: `advance(ms)` / `set(time)` run the callbacks that became due, in order. */
export class ManualClock implements Clock {
  private pending: { at: number; callback: () => void; seq: number }[] = [];
  private seq = 0;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  setTimer(at: number, callback: () => void): () => void {
    const entry = { at, callback, seq: this.seq++ };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((e) => e !== entry);
    };
  }

  advance(ms: number): void {
    this.set(this.time + ms);
  }

  set(time: number): void {
    this.time = Math.max(this.time, time);
    const due = this.pending.filter((e) => e.at <= this.time).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.pending = this.pending.filter((e) => e.at > this.time);
    for (const entry of due) entry.callback();
  }
}
