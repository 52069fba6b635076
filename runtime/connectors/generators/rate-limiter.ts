import type { Clock } from '../source-connector.js';

/**
 * Paces a split at `rowsPerSecond` by wall clock: by time t after the first call, at most `1 + t * rate` rows have
 * been granted. The first row is granted at once; a consumer that fell behind may catch up in a burst.
 */
export class RateLimiter {
  private startMs = -1;
  private granted = 0;
  private readonly msPerRow: number;

  constructor(
    private readonly rowsPerSecond: number,
    private readonly clock: Clock,
  ) {
    this.msPerRow = 1000 / rowsPerSecond;
  }

  /** How many of `wanted` rows may be emitted now (0: wait `retryAfterMs()`). */
  grant(wanted: number): number {
    const now = this.clock();
    if (this.startMs < 0) this.startMs = now;
    const allowed = Math.floor(((now - this.startMs) * this.rowsPerSecond) / 1000) + 1 - this.granted;
    const n = Math.max(0, Math.min(wanted, allowed));
    this.granted += n;
    return n;
  }

  retryAfterMs(): number {
    return Math.max(1, Math.ceil(this.startMs + this.granted * this.msPerRow - this.clock()));
  }
}
