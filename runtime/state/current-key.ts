import { decodeKey, encodeKey } from './key-codec.js';
import { formatRange, keyGroupForKey, rangeContains, type KeyGroupRange } from './key-groups.js';
import { numberKeyHash } from './number-encodings.js';
import { encodedStateKey, stateKeyOf, stateKeyOfEncoded, type StateKey } from './state-key.js';

/**
 * The key that keyed state and timers are scoped to right now, for one operator subtask. Setting it finds the
 * key's state key (state-key.ts) and key group once; every state access then reuses both. A key of one number
 * is neither encoded nor hashed as a string: its hash is memoised (number-encodings.ts) and its encoding made
 * only when asked for (timers, messages).
 */
export class CurrentKey {
  /** The key's values; undefined while no key is set. */
  get key(): readonly unknown[] | undefined {
    if (this.undecoded) {
      this.undecoded = false;
      this.keyValues = decodeKey(this.encoded);
    }
    return this.keyValues;
  }
  private keyValues: readonly unknown[] | undefined = undefined;
  /** Set from a timer that kept only the key's encoding (`setEncoded`): decoded when first read. */
  private undecoded = false;
  stateKey: StateKey = '';
  keyGroup = -1;
  /** The key's encoding once made (a key of one number's is made when first asked for). */
  private encodedKey: string | undefined = '';

  constructor(
    readonly maxParallelism: number,
    readonly keyGroupRange: KeyGroupRange,
    /** For messages: the operator subtask. */
    private readonly owner: string,
  ) {}

  /** The key's `encodeKey` form. */
  get encoded(): string {
    return (this.encodedKey ??= encodedStateKey(this.stateKey));
  }

  /**
   * `encoded`: the key's `encodeKey` form, when the caller has it already (it grouped rows by it); `knownKeyGroup`:
   * its key group when the hash exchange in front computed it (-1 when not).
   */
  set(key: readonly unknown[], encoded?: string, knownKeyGroup = -1): void {
    let keyGroup: number;
    let stateKey: StateKey;
    const only = key.length === 1 ? key[0] : undefined;
    if (typeof only === 'number' && Number.isFinite(only)) {
      stateKey = only + 0; // -0 is the key 0
      keyGroup = knownKeyGroup >= 0 ? knownKeyGroup : numberKeyHash(only) % this.maxParallelism;
    } else {
      stateKey = encoded ?? encodeKey(key);
      keyGroup = knownKeyGroup >= 0 ? knownKeyGroup : keyGroupForKey(stateKey, this.maxParallelism);
    }
    if (!rangeContains(this.keyGroupRange, keyGroup)) {
      // The hash edge in front of the operator routes by the same key, so this is a planning bug, not user error.
      throw new Error(
        `${this.owner} received key ${encodedStateKey(stateKey)} of key group ${keyGroup}, outside its key groups ${formatRange(this.keyGroupRange)}: ` +
          'the input is not partitioned by the key the operator uses',
      );
    }
    this.keyValues = key;
    this.undecoded = false;
    this.stateKey = stateKey;
    this.keyGroup = keyGroup;
    this.encodedKey = typeof stateKey === 'string' ? stateKey : undefined;
  }

  /** Restores a key captured earlier (a timer's), skipping the hash; `key` undefined: decoded from `encoded` if read. */
  setEncoded(key: readonly unknown[] | undefined, encoded: string, keyGroup: number): void {
    this.keyValues = key;
    this.undecoded = key === undefined;
    this.stateKey = key === undefined ? stateKeyOfEncoded(encoded) : stateKeyOf(key, encoded);
    this.keyGroup = keyGroup;
    this.encodedKey = encoded;
  }

  clear(): void {
    this.keyValues = undefined;
    this.undecoded = false;
    this.stateKey = '';
    this.keyGroup = -1;
    this.encodedKey = '';
  }
}
