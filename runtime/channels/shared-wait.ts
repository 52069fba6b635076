/**
 * Waiting on a word of shared memory from an event loop, for ends that live in different threads (thread-channel.ts,
 * runtime/time/alignment-table.ts): the waiting side arms an `Atomics.waitAsync` (one promise per wait, never per
 * record) after raising a flag word; the changing side stores the word, then notifies only when the flag is up.
 *
 * A pending `Atomics.waitAsync` does not keep a Node event loop alive, so while anything waits this holds the
 * thread open as a pending socket read would (unless told not to): a thread whose only work is a wait does not
 * exit under it.
 */

/** Node 20 has `Atomics.waitAsync` (ES2024); the project's lib is ES2023. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Waits in progress in this thread, and the timer that keeps its event loop alive while there are any. */
let pendingWaits = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function holdOpen(): void {
  if (pendingWaits++ === 0) (keepAlive ??= setInterval(() => {}, 2 ** 30)).ref();
}

function letGo(): void {
  if (--pendingWaits === 0) keepAlive!.unref();
}

/**
 * Resolves when `control[slot]` no longer holds `seen` or someone notifies it. `seen` must be the value the
 * caller decided to wait on (read before it found nothing to do), never a fresh read: anything the other side did
 * since then changed `slot` and so ends the wait at once. The waiting side sets its `flag` slot, so that the
 * other side (which stores `slot`, then reads `flag`) notifies only when someone may wait. Several threads may wait
 * on one slot with one flag: a wake-up wakes them all. `holdThreadOpen: false` for a wait that something else keeps
 * the thread alive for, and that may be left behind when its job ends.
 */
export function waitForChange(control: Int32Array, slot: number, seen: number, flag: number, holdThreadOpen = true): Promise<unknown> {
  Atomics.store(control, flag, 1);
  const result = waitAsync(control, slot, seen);
  if (!result.async) return Promise.resolve();
  if (!holdThreadOpen) return result.value;
  holdOpen();
  return result.value.then(letGo);
}

/** Wakes whoever waits on `slot` (call after storing it). */
export function wake(control: Int32Array, slot: number, flag: number): void {
  if (Atomics.load(control, flag) !== 0) {
    Atomics.store(control, flag, 0);
    Atomics.notify(control, slot);
  }
}
