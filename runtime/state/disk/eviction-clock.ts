/**
 * The order in which the disk backend's eviction visits its cached keys: a ring of slots and a hand (CLOCK). A new
 * entry takes a slot freed by eviction (or a new one at the end), so it is visited after everything the hand is
 * about to reach; a second chance costs nothing but the hand passing on. It replaced a `Map` whose insertion order
 * was the clock: visiting meant iterating it, and a second chance a delete and a set of the key (the eviction was
 * 7 % of the backend's self time, bench/README.md "The `disk` backend, part 3").
 *
 * Entries know their slot (`slot`), so that the backend can replace one (a key's single cell becoming a list of
 * cells) without a search.
 */
export interface ClockEntry {
  slot: number;
}

export class EvictionClock<T extends ClockEntry> {
  private slots: (T | undefined)[] = [];
  /** Slots freed by `remove`, reused before the ring grows. */
  private free: number[] = [];
  private hand = 0;

  /** Slots in the ring, occupied or free: the most entries it ever held at once. */
  get length(): number {
    return this.slots.length;
  }

  add(entry: T): void {
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.push(undefined) - 1;
    this.slots[slot] = entry;
    entry.slot = slot;
  }

  /** Puts `entry` in the slot of `previous`, which leaves the ring. */
  replace(previous: T, entry: T): void {
    this.slots[previous.slot] = entry;
    entry.slot = previous.slot;
  }

  /** The entry under the hand, moving the hand on; undefined for a free slot (or an empty ring). */
  advance(): T | undefined {
    const slots = this.slots;
    if (slots.length === 0) return undefined;
    const entry = slots[this.hand];
    if (++this.hand === slots.length) this.hand = 0;
    return entry;
  }

  remove(entry: T): void {
    this.slots[entry.slot] = undefined;
    this.free.push(entry.slot);
  }

  clear(): void {
    this.slots = [];
    this.free = [];
    this.hand = 0;
  }
}
