import { compareCodePoints } from '../state/key-codec.js';
import { TimestampHeap } from './timestamp-heap.js';

/**
 * The event-time timers of one (timestamp, namespace) for many keys, as columns: an aligned window's end, which
 * every key of the window shares. A key is appended when its window is new; deleting or firing clears its
 * `pending` flag, and the group is dropped whole when its time comes.
 */
export class TimerGroup {
  /** Timers appended; the columns below are `capacity` long, positions [0, size) in use. */
  size = 0;
  /** The keys' values, or undefined where the operator does not read them at fire (only the encoding is kept). */
  keys: (readonly unknown[] | undefined)[];
  encodedKeys: (string | undefined)[];
  keyGroups: Int32Array;
  /** 1 while the timer is pending, 0 once deleted or fired. */
  pending: Uint8Array;
  /** Encoded key → its latest position, over positions [0, indexed): built only for deletes and checkpoints. */
  private index: Map<string, number> | undefined = undefined;
  private indexed = 0;

  /**
   * `capacity`: the timers expected (an earlier window's count): the columns are made that long at once rather than
   * grown push by push, each growth leaving the old backing store as garbage.
   */
  constructor(
    readonly timestamp: number,
    readonly namespace: string,
    capacity = 16,
  ) {
    this.keys = new Array<readonly unknown[] | undefined>(capacity).fill(undefined);
    this.encodedKeys = new Array<string | undefined>(capacity).fill(undefined);
    this.keyGroups = new Int32Array(capacity);
    this.pending = new Uint8Array(capacity);
  }

  push(key: readonly unknown[] | undefined, encodedKey: string, keyGroup: number): void {
    const at = this.size;
    if (at === this.pending.length) this.grow();
    this.keys[at] = key;
    this.encodedKeys[at] = encodedKey;
    this.keyGroups[at] = keyGroup;
    this.pending[at] = 1;
    this.size = at + 1;
  }

  private grow(): void {
    const capacity = Math.max(16, this.pending.length * 2);
    for (let i = this.keys.length; i < capacity; i++) {
      this.keys.push(undefined);
      this.encodedKeys.push(undefined);
    }
    const keyGroups = new Int32Array(capacity);
    keyGroups.set(this.keyGroups);
    this.keyGroups = keyGroups;
    const pending = new Uint8Array(capacity);
    pending.set(this.pending);
    this.pending = pending;
  }

  /**
   * The position of the key's pending timer, or -1. The index is extended by the positions appended since the
   * last call, so over a group's life it costs one Map write per timer, and none when nothing looks a key up.
   */
  findPending(encodedKey: string): number {
    const index = (this.index ??= new Map());
    for (let i = this.indexed; i < this.size; i++) index.set(this.encodedKeys[i]!, i);
    this.indexed = this.size;
    // A key appears again only after its earlier timer was deleted: the latest position is the pending one.
    const at = index.get(encodedKey);
    return at !== undefined && this.pending[at] === 1 ? at : -1;
  }

  /** The positions of the pending timers in key order (code points), as the timer heap fires a timestamp's timers. */
  pendingInKeyOrder(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.pending[i] === 1) order.push(i);
    const encoded = this.encodedKeys;
    return order.sort((a, b) => compareCodePoints(encoded[a]!, encoded[b]!));
  }
}

/**
 * Event-time timers registered by windows new to state (`Timers.registerNewEventTimeTimer`): one `TimerGroup`
 * per (timestamp, namespace) instead of an object per key and window, with no dedup lookup (the caller knows the
 * key has no such timer pending). A min-heap orders the distinct timestamps; the group registered to last is
 * remembered, since consecutive keys mostly open the same window.
 */
export class WindowTimers {
  private readonly times = new TimestampHeap();
  /** The groups of each timestamp, one per namespace (a HOP's or TUMBLE's windows: one). */
  private readonly byTime = new Map<number, TimerGroup[]>();
  private last: TimerGroup | undefined = undefined;
  /** The timers of the largest group dropped lately: a new group's capacity. */
  private expected = 16;
  /** Pending timers in all groups. */
  size = 0;

  /** `key` undefined: kept only encoded (`Timers.registerNewEventTimeTimer`'s `keyAtFire`). */
  add(timestamp: number, namespace: string, key: readonly unknown[] | undefined, encodedKey: string, keyGroup: number): void {
    let group = this.last;
    if (group === undefined || group.timestamp !== timestamp || group.namespace !== namespace) group = this.last = this.groupOf(timestamp, namespace);
    group.push(key, encodedKey, keyGroup);
    this.size++;
  }

  /** Clears the key's pending timer of (timestamp, namespace); false when it has none here. */
  delete(timestamp: number, namespace: string, encodedKey: string): boolean {
    if (this.size === 0) return false;
    const group = this.group(timestamp, namespace);
    const at = group === undefined ? -1 : group.findPending(encodedKey);
    if (at < 0) return false;
    group!.pending[at] = 0;
    this.size--;
    return true;
  }

  /** Whether the key has a pending timer of (timestamp, namespace) here. */
  has(timestamp: number, namespace: string, encodedKey: string): boolean {
    if (this.size === 0) return false;
    const group = this.group(timestamp, namespace);
    return group !== undefined && group.findPending(encodedKey) >= 0;
  }

  /** The earliest timestamp with a group (its timers may all have been deleted), or undefined. */
  earliest(): number | undefined {
    return this.times.peek();
  }

  /**
   * The groups of the earliest timestamp, for the caller to fire their pending timers; they stay here meanwhile,
   * so that a timer firing can delete another of them. Then `dropEarliest`.
   */
  earliestGroups(): readonly TimerGroup[] {
    return this.byTime.get(this.times.peek()!)!;
  }

  dropEarliest(): void {
    const timestamp = this.times.peek()!;
    this.times.pop();
    // Windows of a query hold similar numbers of keys: the next group is made that large (and shrinks slowly).
    let largest = 0;
    for (const group of this.byTime.get(timestamp) ?? []) largest = Math.max(largest, group.size);
    this.expected = Math.max(16, largest, Math.floor(this.expected * 0.75));
    this.byTime.delete(timestamp);
    if (this.last?.timestamp === timestamp) this.last = undefined;
  }

  /** Counts a timer taken out of a group by firing it. */
  fired(): void {
    this.size--;
  }

  /**
   * The groups and a copy of each one's pending flags, for a snapshot (pending-timers.ts): one array copy per
   * group, no object per timer.
   */
  pendingFlags(): { groups: TimerGroup[]; flags: Uint8Array[] } {
    const groups: TimerGroup[] = [];
    const flags: Uint8Array[] = [];
    if (this.size === 0) return { groups, flags };
    for (const ofTime of this.byTime.values()) {
      for (const group of ofTime) {
        groups.push(group);
        flags.push(group.pending.slice(0, group.size));
      }
    }
    return { groups, flags };
  }

  /** Visits the key's pending timers, one group at a time (a window operator has a few groups pending). */
  forEachPendingOfKey(encodedKey: string, visit: (group: TimerGroup, at: number) => void): void {
    if (this.size === 0) return;
    for (const groups of this.byTime.values()) {
      for (const group of groups) {
        const at = group.findPending(encodedKey);
        if (at >= 0) visit(group, at);
      }
    }
  }

  private group(timestamp: number, namespace: string): TimerGroup | undefined {
    return this.byTime.get(timestamp)?.find((g) => g.namespace === namespace);
  }

  /** The group of (timestamp, namespace), made when there is none. */
  private groupOf(timestamp: number, namespace: string): TimerGroup {
    const existing = this.group(timestamp, namespace);
    if (existing !== undefined) return existing;
    let groups = this.byTime.get(timestamp);
    if (groups === undefined) {
      groups = [];
      this.byTime.set(timestamp, groups);
      this.times.push(timestamp);
    }
    const group = new TimerGroup(timestamp, namespace, this.expected);
    groups.push(group);
    return group;
  }
}
