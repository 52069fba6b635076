import { encodeMapKey } from '../state/key-codec.js';
import { windowTimerNamespace } from '../time/window-timer-states.js';

export type WindowBounds = readonly [start: number, end: number];

/** A window as keyed state addresses it: its bounds as a map key (raw and encoded) and its timer namespace. */
export interface WindowKeys {
  readonly bounds: WindowBounds;
  /** `encodeMapKey(bounds)`. */
  readonly encoded: string;
  /** The namespace of the window's timer: its start, as text (window-timer-states.ts). */
  readonly namespace: string;
}

/** Distinct windows remembered; windows in flight are few (a HOP's size / slide per watermark lag), keys many. */
const LIMIT = 1024;

/**
 * The keys of the windows an operator is working on, made once per window instead of once per key and row:
 * every key's rows of a window share its bounds, so a window operator would otherwise encode the same bounds
 * for each. Bounded like a cache: cleared when full, and a window is simply made again.
 */
export class WindowKeyCache {
  /** By start; a start has one end at a time (sessions may change it, then it is replaced). */
  private readonly byStart = new Map<number, WindowKeys>();

  of(start: number, end: number): WindowKeys {
    let keys = this.byStart.get(start);
    if (keys === undefined || keys.bounds[1] !== end) {
      if (this.byStart.size >= LIMIT) this.byStart.clear();
      const bounds: WindowBounds = [start, end];
      keys = { bounds, encoded: encodeMapKey(bounds), namespace: windowTimerNamespace(start) };
      this.byStart.set(start, keys);
    }
    return keys;
  }
}
