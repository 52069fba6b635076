import type { CurrentKey } from '../state/current-key.js';
import { compareCodePoints, decodeKey } from '../state/key-codec.js';
import { rangeContains } from '../state/key-groups.js';
import type { KeyedStateBackend, StateEntry } from '../state/keyed-state-backend.js';
import { PendingTimers } from './pending-timers.js';
import { TimerHeap } from './timer-heap.js';
import { windowEntryDecoder, windowTimerNamespace, windowTimerStateName, type WindowEntryDecoder, type WindowTimerState } from './window-timer-states.js';
import { WindowTimers, type TimerGroup } from './window-timers.js';

export type TimeDomain = 'event' | 'processing';

/** A timer as an operator's `onTimer` sees it; the current key is set to `key` while it runs. */
export interface Timer {
  readonly timestamp: number;
  readonly key: readonly unknown[];
  readonly namespace: string;
  readonly domain: TimeDomain;
}

/** A pending timer as snapshots take it. */
export interface TimerEntry {
  readonly timestamp: number;
  readonly namespace: string;
  readonly domain: TimeDomain;
  readonly encodedKey: string;
  readonly keyGroup: number;
}

/** A registered timer: in its domain's heap and in its key's chain, once. */
export interface QueuedTimer extends Timer, TimerEntry {
  /** The key's next and previous timer of the same domain (the chain the dedup index holds per key, by its head). */
  nextOfKey: QueuedTimer | undefined;
  prevOfKey: QueuedTimer | undefined;
  /** False once fired or deleted: the heap drops it when it comes up. */
  pending: boolean;
}

/**
 * The state names of timers in snapshots: map state per key and namespace, timestamp → null. Snapshots keep this
 * canonical form (the backend registers the layouts, so snapshot headers list them), though the timer service,
 * not the backend, holds the timers.
 */
export const TIMER_STATES: Readonly<Record<TimeDomain, string>> = {
  event: '__timers.event',
  processing: '__timers.processing',
};

/** Timer changes recorded beyond twice the timers pending before the record stops (small tables churn a little freely). */
const CHURN_SLACK = 1024;

const DOMAIN_OF_STATE: ReadonlyMap<string, TimeDomain> = new Map([
  [TIMER_STATES.event, 'event'],
  [TIMER_STATES.processing, 'processing'],
]);

/** What an operator uses to register timers for its current key (Flink's TimerService). */
export interface Timers {
  registerEventTimeTimer(timestamp: number, namespace?: string): void;
  /**
   * Registers an event-time timer the current key is known not to have pending (an aligned window new to state:
   * every key's timer of the window shares its timestamp and namespace), skipping the dedup lookup. It fires,
   * snapshots and deletes like any other; registering one the key has pending would fire it twice.
   * `keyAtFire` false: the operator's `onTimer` does not read the key's values (`timer.key`, `ctx.currentKey`),
   * only its state, so the timer keeps the key's encoding and not its array (an object less per key and window
   * kept alive until the window fires; read anyway, the key is decoded).
   */
  registerNewEventTimeTimer(timestamp: number, namespace?: string, keyAtFire?: boolean): void;
  deleteEventTimeTimer(timestamp: number, namespace?: string): void;
  registerProcessingTimeTimer(timestamp: number, namespace?: string): void;
  deleteProcessingTimeTimer(timestamp: number, namespace?: string): void;
}

/** One time domain's timers: the firing order and the dedup index (Flink's HeapPriorityQueueSet). */
interface DomainTimers {
  readonly heap: TimerHeap<QueuedTimer>;
  /** Per encoded key, the chain of its pending timers. */
  readonly byKey: Map<string, QueuedTimer>;
}

/**
 * Event-time and processing-time timers per key and namespace. A (key, namespace, timestamp) is registered at
 * most once. Event-time timers fire, in timestamp order, when the watermark reaches their timestamp; timers
 * registered while firing fire in the same pass if already due. Processing-time timers fire when the injected
 * clock reaches them.
 *
 * Each timer is stored once, as one object in its domain's heap and in its key's chain of the dedup index (a
 * key holds few timers, a window's or a TTL's). Snapshots take them as `__timers.*` entries merged into the
 * backend's (keyed-snapshot-with-timers.ts); a key whose timers changed is recorded, as the backend records a
 * key whose cells changed, so an incremental checkpoint includes it.
 */
export class TimerService implements Timers {
  private readonly domains: Record<TimeDomain, DomainTimers> = {
    event: { heap: new TimerHeap(), byKey: new Map() },
    processing: { heap: new TimerHeap(), byKey: new Map() },
  };
  /** Event-time timers of aligned windows, one group per window for all its keys (`registerNewEventTimeTimer`). */
  private readonly windows = new WindowTimers();
  /** The event time being fired up to, -Infinity when not firing: a new timer due by then takes the heap's path. */
  private firingEventTime = -Infinity;
  /** The timer handed to `onTimer` for a window group's timer, reused (valid during the call). */
  private readonly groupTimer = new GroupTimer();
  /**
   * Keys (with their key groups) whose timers changed since the last base or delta, a key once per change: pushed,
   * and deduplicated only when taken (a Map.set per timer registered or fired cost q5, whose checkpoints are all
   * bases, about as much as writing them). Undefined: not tracking — no base yet, or more changes than twice the
   * timers pending (plus CHURN_SLACK), after which the next checkpoint is a base, as the backends' churn rule has it.
   */
  private changedKeys: string[] | undefined = undefined;
  private changedGroups: number[] = [];

  /** The operator's map states whose window entries imply their windows' timers, with their decoders (see the constructor). */
  private readonly windowTimerStates: ReadonlyMap<string, WindowEntryDecoder>;

  /**
   * `windowTimerStates`: the operator's map states whose entries are windows, each implying its window's event-time
   * timer (`StreamOperator.windowTimerStates`, window-timer-states.ts). A checkpoint's base then leaves the window
   * groups' timers out, and a restore registers a timer for every such entry.
   */
  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly current: CurrentKey,
    windowTimerStates: readonly WindowTimerState[] = [],
  ) {
    backend.register(TIMER_STATES.event, 'map');
    backend.register(TIMER_STATES.processing, 'map');
    this.windowTimerStates = new Map(windowTimerStates.map((s) => [windowTimerStateName(s), windowEntryDecoder(s)]));
  }

  registerEventTimeTimer(timestamp: number, namespace = ''): void {
    this.register('event', timestamp, namespace);
  }

  registerNewEventTimeTimer(timestamp: number, namespace = '', keyAtFire = true): void {
    const { key, encoded, keyGroup } = this.current;
    if (key === undefined) throw new Error('a timer was registered with no current key: call ctx.setCurrentKey(key) first');
    // Due in the pass firing now: the heap inserts it in order among the timers still to fire.
    if (timestamp <= this.firingEventTime) {
      this.add('event', timestamp, key, namespace, encoded, keyGroup);
      return;
    }
    this.windows.add(timestamp, namespace, keyAtFire ? key : undefined, encoded, keyGroup);
    this.recordChange(encoded, keyGroup);
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
    this.add(domain, timestamp, key, namespace, encoded, keyGroup);
  }

  /** Adds the timer unless its key has it already. */
  private add(domain: TimeDomain, timestamp: number, key: readonly unknown[], namespace: string, encodedKey: string, keyGroup: number): void {
    const { heap, byKey } = this.domains[domain];
    const head = byKey.get(encodedKey);
    for (let t = head; t !== undefined; t = t.nextOfKey) if (t.timestamp === timestamp && t.namespace === namespace) return;
    if (domain === 'event' && this.windows.has(timestamp, namespace, encodedKey)) return;
    const timer: QueuedTimer = { timestamp, key, namespace, domain, encodedKey, keyGroup, nextOfKey: undefined, prevOfKey: undefined, pending: true };
    // Second in the chain when the key has timers: the index keeps its head and is not written.
    if (head === undefined) byKey.set(encodedKey, timer);
    else {
      const next = head.nextOfKey;
      timer.nextOfKey = next;
      timer.prevOfKey = head;
      if (next !== undefined) next.prevOfKey = timer;
      head.nextOfKey = timer;
    }
    heap.push(timer);
    this.recordChange(encodedKey, keyGroup);
  }

  private delete(domain: TimeDomain, timestamp: number, namespace: string): void {
    const { key, encoded } = this.current;
    if (key === undefined) throw new Error('a timer was deleted with no current key: call ctx.setCurrentKey(key) first');
    const { byKey } = this.domains[domain];
    let timer = byKey.get(encoded);
    while (timer !== undefined && (timer.timestamp !== timestamp || timer.namespace !== namespace)) timer = timer.nextOfKey;
    if (timer !== undefined) this.unlink(byKey, timer);
    else if (domain === 'event' && this.windows.delete(timestamp, namespace, encoded)) this.recordChange(encoded, this.current.keyGroup);
  }

  /**
   * Takes a pending timer out of its key's chain; the heap drops it when it comes up. The index is written only
   * when the timer is the chain's head (a window operator's key holds a timer per open window).
   */
  private unlink(byKey: Map<string, QueuedTimer>, timer: QueuedTimer): void {
    timer.pending = false;
    const { prevOfKey: prev, nextOfKey: next } = timer;
    if (next !== undefined) next.prevOfKey = prev;
    if (prev !== undefined) prev.nextOfKey = next;
    else if (next === undefined) byKey.delete(timer.encodedKey);
    else byKey.set(timer.encodedKey, next);
    timer.nextOfKey = undefined;
    timer.prevOfKey = undefined;
    this.recordChange(timer.encodedKey, timer.keyGroup);
  }

  /** Fires every event-time timer with timestamp <= `watermark`, in order. */
  advanceWatermark(watermark: number, fire: (timer: Timer) => void): void {
    const before = this.firingEventTime;
    this.firingEventTime = watermark;
    try {
      for (let time = this.windows.earliest(); time !== undefined && time <= watermark; time = this.windows.earliest()) {
        // The heap's earlier timers first, then the groups' and the heap's of this time merged in key order.
        this.fireUntil('event', time - 1, fire);
        this.fireGroups(this.windows.earliestGroups(), fire);
        this.windows.dropEarliest();
      }
      this.fireUntil('event', watermark, fire);
    } finally {
      this.firingEventTime = before;
    }
  }

  /**
   * Fires the pending timers of a timestamp's window groups and the heap's timers of that timestamp, in (key,
   * namespace) order as the heap alone would: the groups' timers sorted by key (several groups: by key, then
   * namespace), the heap's merged in before each group timer that sorts after them.
   */
  private fireGroups(groups: readonly TimerGroup[], fire: (timer: Timer) => void): void {
    const time = groups[0]!.timestamp;
    // One group (a HOP's or TUMBLE's window): its key order as it is; several (windows sharing an end): merged.
    let owners: TimerGroup[] | undefined;
    let positions: number[];
    let order: number[] | undefined;
    if (groups.length === 1) positions = groups[0]!.pendingInKeyOrder();
    else {
      owners = [];
      positions = [];
      for (const group of groups) {
        for (const at of group.pendingInKeyOrder()) {
          owners.push(group);
          positions.push(at);
        }
      }
      const of = owners;
      const ps = positions;
      order = Array.from(positions, (_, i) => i);
      order.sort((a, b) => compareCodePoints(of[a]!.encodedKeys[ps[a]!]!, of[b]!.encodedKeys[ps[b]!]!) || compareCodePoints(of[a]!.namespace, of[b]!.namespace));
    }
    const { heap, byKey } = this.domains.event;
    const timer = this.groupTimer;
    for (let n = 0; n < positions.length; n++) {
      const i = order === undefined ? n : order[n]!;
      const group = owners === undefined ? groups[0]! : owners[i]!;
      const at = positions[i]!;
      // Deleted by an earlier timer of this pass.
      if (group.pending[at] !== 1) continue;
      const encodedKey = group.encodedKeys[at]!;
      for (let next = heap.peek(); next !== undefined && next.timestamp <= time; next = heap.peek()) {
        if (next.pending && next.timestamp === time && (compareCodePoints(next.encodedKey, encodedKey) || compareCodePoints(next.namespace, group.namespace)) > 0) break;
        heap.pop();
        if (!next.pending) continue;
        this.unlink(byKey, next);
        this.current.setEncoded(next.key, next.encodedKey, next.keyGroup);
        fire(next);
      }
      // A heap timer fired just now may have deleted this one.
      if (group.pending[at] !== 1) continue;
      group.pending[at] = 0;
      this.windows.fired();
      const keyGroup = group.keyGroups[at]!;
      this.recordChange(encodedKey, keyGroup);
      const key = group.keys[at];
      this.current.setEncoded(key, encodedKey, keyGroup);
      timer.timestamp = time;
      timer.set(key, encodedKey);
      timer.namespace = group.namespace;
      fire(timer);
    }
  }

  /** Fires every processing-time timer with timestamp <= `now`, in order. */
  advanceProcessingTime(now: number, fire: (timer: Timer) => void): void {
    this.fireUntil('processing', now, fire);
  }

  /** The earliest pending processing-time timer, to schedule a wake-up. */
  nextProcessingTime(): number | undefined {
    const { heap } = this.domains.processing;
    for (let next = heap.peek(); next !== undefined; next = heap.peek()) {
      if (next.pending) return next.timestamp;
      heap.pop();
    }
    return undefined;
  }

  private fireUntil(domain: TimeDomain, time: number, fire: (timer: Timer) => void): void {
    const { heap, byKey } = this.domains[domain];
    for (let next = heap.peek(); next !== undefined && next.timestamp <= time; next = heap.peek()) {
      heap.pop();
      if (!next.pending) continue;
      this.unlink(byKey, next);
      this.current.setEncoded(next.key, next.encodedKey, next.keyGroup);
      fire(next);
    }
  }

  /**
   * The entries of a restore with the timers taken out: timers of this subtask's key groups are registered here,
   * every other entry is passed on (to `backend.restore`). A window entry of a `windowTimerStates` state registers
   * its windows' timers too (as its state's decoder lists them) (a checkpoint's base leaves those out; where the snapshot holds them as well, as a
   * savepoint or a version 7 checkpoint does, the second registration finds the first and adds nothing).
   */
  *restore(entries: Iterable<StateEntry>): Generator<StateEntry> {
    const range = this.backend.keyGroupRange;
    const windowStates = this.windowTimerStates;
    let decoded: { encoded: string; key: unknown[] } | undefined;
    for (const entry of entries) {
      const domain = DOMAIN_OF_STATE.get(entry.state);
      if (domain === undefined) {
        const windowsOf = windowStates.size > 0 ? windowStates.get(entry.state) : undefined;
        if (windowsOf !== undefined && entry.hasMapKey && rangeContains(range, entry.keyGroup)) {
          windowsOf(entry.mapKey, entry.value, (start, end) => {
            if (decoded?.encoded !== entry.key) decoded = { encoded: entry.key, key: decodeKey(entry.key) };
            this.add('event', end - 1, decoded.key, windowTimerNamespace(start), entry.key, entry.keyGroup);
          });
        }
        yield entry;
        continue;
      }
      if (!rangeContains(range, entry.keyGroup)) continue;
      // A key's timers are consecutive in a snapshot: decode it once for them.
      if (decoded?.encoded !== entry.key) decoded = { encoded: entry.key, key: decodeKey(entry.key) };
      this.add(domain, entry.mapKey as number, decoded.key, entry.namespace, entry.key, entry.keyGroup);
    }
  }

  /**
   * Every pending timer, for a full snapshot; `asBase`: the snapshot is the base of an incremental chain, so
   * keys whose timers change are recorded from now on, and when the operator declared `windowTimerStates` the
   * window groups' timers are left out: each is implied by its window's entry in state, and a restore registers
   * it from there (a q5 base was half such timers). Full snapshots (savepoints) keep every timer.
   */
  snapshotTimers(asBase: boolean): PendingTimers {
    if (asBase) this.restartRecord();
    const queued: TimerEntry[] = [];
    for (const { byKey } of Object.values(this.domains)) {
      for (const head of byKey.values()) for (let t: QueuedTimer | undefined = head; t !== undefined; t = t.nextOfKey) queued.push(t);
    }
    if (asBase && this.windowTimerStates.size > 0) return new PendingTimers(queued, [], []);
    const { groups, flags } = this.windows.pendingFlags();
    return new PendingTimers(queued, groups, flags);
  }

  /**
   * The keys whose timers changed since the last base or delta, and restarts the record; undefined when there is no
   * record (no base was taken, or it stopped): take a base.
   */
  takeChangedKeys(): ReadonlyMap<string, number> | undefined {
    const keys = this.changedKeys;
    if (keys === undefined) return undefined;
    const groups = this.changedGroups;
    this.restartRecord();
    const changed = new Map<string, number>();
    for (let i = 0; i < keys.length; i++) changed.set(keys[i]!, groups[i]!);
    return changed;
  }

  private restartRecord(): void {
    this.changedKeys = [];
    this.changedGroups = [];
  }

  private recordChange(encodedKey: string, keyGroup: number): void {
    const keys = this.changedKeys;
    if (keys === undefined) return;
    keys.push(encodedKey);
    this.changedGroups.push(keyGroup);
    if (keys.length > 2 * this.pendingCount() + CHURN_SLACK) {
      this.changedKeys = undefined;
      this.changedGroups = [];
    }
  }

  /** At least the keys with a pending timer (and at most the timers). */
  private pendingCount(): number {
    return this.domains.event.byKey.size + this.domains.processing.byKey.size + this.windows.size;
  }

  /** Whether any timer is pending: a delta copies no key's timers when none is. */
  get isEmpty(): boolean {
    return this.domains.event.byKey.size === 0 && this.domains.processing.byKey.size === 0 && this.windows.size === 0;
  }

  /**
   * The pending timers of one key, of both domains; `forDelta`: for a checkpoint's delta, which like a base leaves
   * out the window groups' timers when the operator declared `windowTimerStates` (a restore registers them from the
   * key's window entries, which the delta lists with them).
   */
  timersOfKey(encodedKey: string, forDelta = false): TimerEntry[] {
    const timers: TimerEntry[] = [];
    for (const { byKey } of Object.values(this.domains)) {
      for (let t = byKey.get(encodedKey); t !== undefined; t = t.nextOfKey) timers.push(t);
    }
    if (!forDelta || this.windowTimerStates.size === 0) this.windows.forEachPendingOfKey(encodedKey, (group, at) => timers.push(groupEntry(group, at)));
    return timers;
  }
}

/** A window group's timer as `onTimer` sees it: a key the group holds only encoded is decoded if read. */
class GroupTimer implements Timer {
  timestamp = 0;
  namespace = '';
  readonly domain = 'event';
  private decoded: readonly unknown[] | undefined = [];
  private encodedKey = '[]';

  get key(): readonly unknown[] {
    return (this.decoded ??= decodeKey(this.encodedKey));
  }

  set(key: readonly unknown[] | undefined, encodedKey: string): void {
    this.decoded = key;
    this.encodedKey = encodedKey;
  }
}

function groupEntry(group: TimerGroup, at: number): TimerEntry {
  return { timestamp: group.timestamp, namespace: group.namespace, domain: 'event', encodedKey: group.encodedKeys[at]!, keyGroup: group.keyGroups[at]! };
}
