import type { CurrentKey } from '../state/current-key.js';
import { decodeKey, encodeMapKey } from '../state/key-codec.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { TimerHeap } from './timer-heap.js';

export type TimeDomain = 'event' | 'processing';

/** A timer as an operator's `onTimer` sees it; the current key is set to `key` while it runs. */
export interface Timer {
  readonly timestamp: number;
  readonly key: readonly unknown[];
  readonly namespace: string;
  readonly domain: TimeDomain;
}

interface QueuedTimer extends Timer {
  readonly encodedKey: string;
  readonly keyGroup: number;
  /** The timestamp as the timer state's map key, encoded once. */
  readonly mapKey: string;
}

/** Timers are keyed state too (map state per key and namespace, timestamp → null), so snapshots carry them. */
export const TIMER_STATES: Readonly<Record<TimeDomain, string>> = {
  event: '__timers.event',
  processing: '__timers.processing',
};

/** What an operator uses to register timers for its current key (Flink's TimerService). */
export interface Timers {
  registerEventTimeTimer(timestamp: number, namespace?: string): void;
  deleteEventTimeTimer(timestamp: number, namespace?: string): void;
  registerProcessingTimeTimer(timestamp: number, namespace?: string): void;
  deleteProcessingTimeTimer(timestamp: number, namespace?: string): void;
}

/**
 * Event-time and processing-time timers per key and namespace. A (key, namespace, timestamp) is registered at
 * most once. Event-time timers fire, in timestamp order, when the watermark reaches their timestamp; timers
 * registered while firing fire in the same pass if already due. Processing-time timers fire when the injected
 * clock reaches them. The backend is the truth (a deleted timer is skipped when it comes up in the heap); the
 * heaps only order what the backend holds and are rebuilt from it after a restore.
 */
export class TimerService implements Timers {
  private readonly heaps: Record<TimeDomain, TimerHeap<QueuedTimer>> = { event: new TimerHeap(), processing: new TimerHeap() };

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly current: CurrentKey,
  ) {
    backend.register(TIMER_STATES.event, 'map');
    backend.register(TIMER_STATES.processing, 'map');
  }

  registerEventTimeTimer(timestamp: number, namespace = ''): void {
    this.register('event', timestamp, namespace);
  }

  deleteEventTimeTimer(timestamp: number, namespace = ''): void {
    this.delete('event', timestamp, namespace);
  }

  registerProcessingTimeTimer(timestamp: number, namespace = ''): void {
    this.register('processing', timestamp, namespace);
  }

  deleteProcessingTimeTimer(timestamp: number, namespace = ''): void {
    this.delete('processing', timestamp, namespace);
  }

  private register(domain: TimeDomain, timestamp: number, namespace: string): void {
    const { key, encoded, keyGroup } = this.current;
    if (key === undefined) throw new Error('a timer was registered with no current key: call ctx.setCurrentKey(key) first');
    const state = TIMER_STATES[domain];
    const mapKey = encodeMapKey(timestamp);
    if (!this.backend.mapPutIfAbsent(state, keyGroup, encoded, namespace, mapKey, timestamp, null)) return;
    this.heaps[domain].push({ timestamp, key, namespace, domain, encodedKey: encoded, keyGroup, mapKey });
  }

  private delete(domain: TimeDomain, timestamp: number, namespace: string): void {
    const { key, encoded, keyGroup } = this.current;
    if (key === undefined) throw new Error('a timer was deleted with no current key: call ctx.setCurrentKey(key) first');
    this.backend.mapRemove(TIMER_STATES[domain], keyGroup, encoded, namespace, encodeMapKey(timestamp));
  }

  /** Fires every event-time timer with timestamp <= `watermark`, in order. */
  advanceWatermark(watermark: number, fire: (timer: Timer) => void): void {
    this.fireUntil('event', watermark, fire);
  }

  /** Fires every processing-time timer with timestamp <= `now`, in order. */
  advanceProcessingTime(now: number, fire: (timer: Timer) => void): void {
    this.fireUntil('processing', now, fire);
  }

  /** The earliest pending processing-time timer, to schedule a wake-up. */
  nextProcessingTime(): number | undefined {
    return this.heaps.processing.peek()?.timestamp;
  }

  private fireUntil(domain: TimeDomain, time: number, fire: (timer: Timer) => void): void {
    const heap = this.heaps[domain];
    const state = TIMER_STATES[domain];
    for (let next = heap.peek(); next !== undefined && next.timestamp <= time; next = heap.peek()) {
      heap.pop();
      if (!this.backend.mapRemove(state, next.keyGroup, next.encodedKey, next.namespace, next.mapKey)) continue;
      this.current.setEncoded(next.key, next.encodedKey, next.keyGroup);
      fire(next);
    }
  }

  /** Rebuilds the heaps from the backend's timer state (after `backend.restore`). */
  reload(): void {
    for (const domain of ['event', 'processing'] as const) {
      const heap = this.heaps[domain];
      heap.clear();
      const state = TIMER_STATES[domain];
      for (const { keyGroup, key: encodedKey, namespace } of [...this.backend.keys(state)]) {
        const key = decodeKey(encodedKey);
        for (const [timestamp] of this.backend.mapEntries(state, keyGroup, encodedKey, namespace)) {
          heap.push({ timestamp: timestamp as number, key, namespace, domain, encodedKey, keyGroup, mapKey: encodeMapKey(timestamp) });
        }
      }
    }
  }
}
