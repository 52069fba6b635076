import type { StateKey } from './state-key.js';

/** An empty slot of the number table: no finite number (state keys of numbers are finite). */
const EMPTY = -Infinity;
const MIN_CAPACITY = 16;

const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);

/**
 * A 32-bit hash of a finite number, whose top bits pick its slot (Fibonacci hashing). An int32 is multiplied by
 * 2^32 / φ; any other number mixes the two words of its double first.
 */
export function hashNumber(n: number): number {
  if ((n | 0) === n) return Math.imul(n, 0x9e3779b1);
  scratch[0] = n;
  return Math.imul(scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x27d4eb2d), 0x9e3779b1);
}

/**
 * The heap backend's table of keys: state key → value. A key of one number (state-key.ts) lives in an
 * open-addressing table (linear probing, at most half full, deletes shifting the entries after them back, so
 * there are no tombstones): its keys in a Float64Array, its values in an array beside it. A lookup compares
 * numbers in one typed array, where a `Map` follows a bucket's chain of entries, a cache miss each on a large
 * table. Other keys (strings) stay in a `Map`.
 *
 * The key looked up last is remembered with its slot (where it is, or the empty slot where it would go), so that
 * a lookup and the insert or delete after it probe once: a key's operations come in runs (q7's join looks a
 * price up, misses, then stores it; later looks it up again and deletes it).
 *
 * Order: `values()` lists the number keys' values in slot order, then the strings' in insertion order. Nothing
 * reads meaning into it (snapshots sort canonically or are read by key group).
 */
export class KeyTable<V extends object> {
  private readonly strings = new Map<string, V>();
  private keys = new Float64Array(MIN_CAPACITY).fill(EMPTY);
  private slots: (V | undefined)[] = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
  private numbers = 0;
  private mask = MIN_CAPACITY - 1;
  private shift = Math.clz32(MIN_CAPACITY - 1);
  private lastKey: StateKey | undefined = undefined;
  private last: V | undefined = undefined;
  /** For a number `lastKey`: its slot, or the empty slot where it would go; -1 when not known. */
  private lastSlot = -1;

  get size(): number {
    return this.numbers + this.strings.size;
  }

  /** Slots of the number table (for tests). */
  get capacity(): number {
    return this.keys.length;
  }

  get(key: StateKey): V | undefined {
    if (key === this.lastKey) return this.last;
    let found: V | undefined;
    if (typeof key === 'number') {
      const slot = this.probe(key);
      this.lastSlot = slot;
      found = this.slots[slot];
    } else {
      found = this.strings.get(key);
      this.lastSlot = -1;
    }
    this.lastKey = key;
    this.last = found;
    return found;
  }

  /** Whether `key` is present; leaves the remembered key alone. */
  has(key: StateKey): boolean {
    if (typeof key !== 'number') return this.strings.has(key);
    return this.keys[this.probe(key)] === key;
  }

  set(key: StateKey, value: V): void {
    if (typeof key === 'number') {
      key += 0; // -0 is the key 0
      let slot = key === this.lastKey && this.lastSlot >= 0 ? this.lastSlot : this.probe(key);
      if (this.keys[slot] !== key) {
        if (2 * (this.numbers + 1) > this.keys.length) {
          this.rehash(2 * this.keys.length);
          slot = this.probe(key);
        }
        this.keys[slot] = key;
        this.numbers++;
      }
      this.slots[slot] = value;
      this.lastSlot = slot;
    } else {
      this.strings.set(key, value);
      this.lastSlot = -1;
    }
    this.lastKey = key;
    this.last = value;
  }

  delete(key: StateKey): void {
    if (typeof key === 'number') {
      const slot = key === this.lastKey && this.lastSlot >= 0 ? this.lastSlot : this.probe(key);
      if (this.keys[slot] === key) {
        this.numbers--;
        this.removeAt(slot);
        if (8 * this.numbers < this.keys.length && this.keys.length > MIN_CAPACITY) this.rehash(this.keys.length / 2);
      }
    } else {
      this.strings.delete(key);
    }
    // Absent now; where it would go is not known (the entries after it moved).
    this.lastKey = key;
    this.last = undefined;
    this.lastSlot = -1;
  }

  clear(): void {
    this.strings.clear();
    this.keys = new Float64Array(MIN_CAPACITY).fill(EMPTY);
    this.slots = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.numbers = 0;
    this.mask = MIN_CAPACITY - 1;
    this.shift = Math.clz32(MIN_CAPACITY - 1);
    this.forget();
  }

  /** Every value: the number keys' in slot order, then the strings' in insertion order. */
  values(): V[] {
    const out: V[] = [];
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const value = slots[i];
      if (value !== undefined) out.push(value);
    }
    for (const value of this.strings.values()) out.push(value);
    return out;
  }

  /** Every key, in the order of `values()`. */
  stateKeys(): StateKey[] {
    const out: StateKey[] = [];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out.push(keys[i]!);
    for (const key of this.strings.keys()) out.push(key);
    return out;
  }

  /** The slot holding `key`, or the empty slot that ends its probe (the table is never full). */
  private probe(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let slot = hashNumber(key) >>> this.shift;
    for (;;) {
      const k = keys[slot];
      if (k === key || k === EMPTY) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Empties `slot` and moves back each entry after it (up to an empty slot) whose probe passes through the hole,
   * so that every entry stays reachable from its home slot with no tombstones.
   */
  private removeAt(slot: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    const shift = this.shift;
    let hole = slot;
    for (let j = (slot + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === EMPTY) break;
      const home = hashNumber(k) >>> shift;
      // The entry at j may fill the hole if the hole lies on its probe from home to j.
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = k;
        slots[hole] = slots[j];
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    slots[hole] = undefined;
  }

  /**
   * Moves every entry into a table of `capacity` slots. The old slots are read from the end of a cluster (an
   * empty slot) on, so entries come in the order of their home slots, and a home slot's top bits are the new
   * home's: the new table is written front to back, not at random (which cost a cache miss per entry).
   */
  private rehash(capacity: number): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const oldMask = oldKeys.length - 1;
    const keys = (this.keys = new Float64Array(capacity).fill(EMPTY));
    const slots = (this.slots = new Array<V | undefined>(capacity).fill(undefined));
    const mask = (this.mask = capacity - 1);
    const shift = (this.shift = Math.clz32(capacity - 1));
    let start = 0;
    while (oldKeys[start] !== EMPTY) start++;
    for (let n = 1; n <= oldMask + 1; n++) {
      const i = (start + n) & oldMask;
      const k = oldKeys[i]!;
      if (k === EMPTY) continue;
      let slot = hashNumber(k) >>> shift;
      while (keys[slot] !== EMPTY) slot = (slot + 1) & mask;
      keys[slot] = k;
      slots[slot] = oldSlots[i];
    }
    this.forget();
  }

  private forget(): void {
    this.lastKey = undefined;
    this.last = undefined;
    this.lastSlot = -1;
  }
}
