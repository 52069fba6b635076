import { encodeKey } from './key-codec.js';
import { formatRange, keyGroupForKey, rangeContains, type KeyGroupRange } from './key-groups.js';
import { numberRowKey, rowKeyEncoded, rowKeyHash } from './number-encodings.js';

/**
 * The key that keyed state and timers are scoped to right now, for one operator subtask. Setting it encodes the
 * key once (key-codec.ts) and finds its key group; every state access then reuses both. A numeric key's encoding
 * and hash are memoised (number-encodings.ts), so a hot key costs one lookup and no allocation.
 */
export class CurrentKey {
  key: readonly unknown[] | undefined = undefined;
  encoded = '';
  keyGroup = -1;

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    /** For messages: the operator subtask. */
    private readonly owner: string,
  ) {}

  /**
   * `encoded`: the key's `encodeKey` form, when the caller has it already (it grouped rows by it); `knownKeyGroup`:
   * its key group when the hash exchange in front computed it (-1 when not).
   */
  set(key: readonly unknown[], encoded?: string, knownKeyGroup = -1): void {
    let keyGroup: number;
    const only = key.length === 1 ? key[0] : undefined;
    if (encoded === undefined && typeof only === 'number' && Number.isFinite(only)) {
      const slot = numberRowKey(only);
      encoded = rowKeyEncoded(slot);
      keyGroup = rowKeyHash(slot) % this.maxParallelism;
    } else {
      encoded ??= encodeKey(key);
      keyGroup = knownKeyGroup >= 0 ? knownKeyGroup : keyGroupForKey(encoded, this.maxParallelism);
    }
    if (!rangeContains(this.keyGroupRange, keyGroup)) {
      // The hash edge in front of the operator routes by the same key, so this is a planning bug, not user error.
      throw new Error(
        `${this.owner} received key ${encoded} of key group ${keyGroup}, outside its key groups ${formatRange(this.keyGroupRange)}: ` +
          'the input is not partitioned by the key the operator uses',
      );
    }
    this.key = key;
    this.encoded = encoded;
    this.keyGroup = keyGroup;
  }

  /** Restores a key captured earlier (a timer's), skipping the encoding. */
  setEncoded(key: readonly unknown[], encoded: string, keyGroup: number): void {
    this.key = key;
    this.encoded = encoded;
    this.keyGroup = keyGroup;
  }

  clear(): void {
    this.key = undefined;
    this.encoded = '';
    this.keyGroup = -1;
  }
}
