/**
 * A reusable wake-up: a waiter awaits `wait()`, anyone calls `notify()`. A notification that arrives while nobody
 * waits is remembered, so the next `wait()` returns at once (no lost wake-ups between a check and a wait).
 * One promise per actual wait, never per record.
 */
export class Signal {
  private pending = false;
  private resolve: (() => void) | undefined;
  private promise: Promise<void> | undefined;

  notify(): void {
    if (this.resolve !== undefined) {
      const resolve = this.resolve;
      this.resolve = undefined;
      this.promise = undefined;
      resolve();
    } else {
      this.pending = true;
    }
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    this.promise ??= new Promise<void>((resolve) => {
      this.resolve = resolve;
    });
    return this.promise;
  }
}
