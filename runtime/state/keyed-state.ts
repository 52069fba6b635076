import type { CurrentKey } from './current-key.js';
import { encodeMapKey } from './key-codec.js';
import type { CellLayout, KeyedStateBackend } from './keyed-state-backend.js';

/**
 * Keyed state, Flink's API: reached by name through a descriptor, scoped to the operator's current key
 * (`ctx.setCurrentKey`) and to a namespace (`setNamespace`, default `''`; e.g. a window). Values are plain data
 * (value-codec.ts). Values read from state must not be modified in place: write a new value with `update`/`put`.
 * The one exception is the accumulator an AggregatingState hands to its `add` function, which may be mutated.
 */

export type KeyedStateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

export interface ValueStateDescriptor<T> {
  readonly kind: 'value';
  readonly name: string;
  /** Type carrier only. */
  readonly __type?: T;
}

export interface ListStateDescriptor<T> {
  readonly kind: 'list';
  readonly name: string;
  readonly __type?: T;
}

export interface MapStateDescriptor<K, V> {
  readonly kind: 'map';
  readonly name: string;
  readonly __type?: [K, V];
}

export interface ReducingStateDescriptor<T> {
  readonly kind: 'reducing';
  readonly name: string;
  /** Combines the stored value with a new one; must not modify either argument. */
  readonly reduce: (stored: T, added: T) => T;
}

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  /** Returns the updated accumulator; may modify `accumulator` in place and return it. */
  add(accumulator: ACC, value: IN): ACC;
  getResult(accumulator: ACC): OUT;
}

export interface AggregatingStateDescriptor<IN, ACC, OUT> {
  readonly kind: 'aggregating';
  readonly name: string;
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

export type KeyedStateDescriptor =
  | ValueStateDescriptor<any>
  | ListStateDescriptor<any>
  | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any>
  | AggregatingStateDescriptor<any, any, any>;

export function valueState<T>(name: string): ValueStateDescriptor<T> {
  return { kind: 'value', name };
}
export function listState<T>(name: string): ListStateDescriptor<T> {
  return { kind: 'list', name };
}
export function mapState<K, V>(name: string): MapStateDescriptor<K, V> {
  return { kind: 'map', name };
}
export function reducingState<T>(name: string, reduce: (stored: T, added: T) => T): ReducingStateDescriptor<T> {
  return { kind: 'reducing', name, reduce };
}
export function aggregatingState<IN, ACC, OUT>(name: string, aggregate: AggregateFunction<IN, ACC, OUT>): AggregatingStateDescriptor<IN, ACC, OUT> {
  return { kind: 'aggregating', name, aggregate };
}

export interface ScopedState {
  /** Scopes later calls to `namespace` (still under the current key). */
  setNamespace(namespace: string): void;
  /** Removes the value for the current key and namespace. */
  clear(): void;
}

export interface ValueState<T> extends ScopedState {
  /** The value, or `undefined` when none is stored. */
  value(): T | undefined;
  update(value: T): void;
}

export interface ListState<T> extends ScopedState {
  /** The elements (empty when none); valid until the next change of this state. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  /** Replaces the whole list; an empty list clears it. */
  update(values: readonly T[]): void;
}

export interface ReducingState<T> extends ScopedState {
  get(): T | undefined;
  add(value: T): void;
}

export interface AggregatingState<IN, OUT> extends ScopedState {
  get(): OUT | undefined;
  add(value: IN): void;
}

/** `encoded`, where a method takes it: `encodeMapKey(key)` (key-codec.ts), when the caller has it already. */
export interface MapState<K, V> extends ScopedState {
  get(key: K, encoded?: string): V | undefined;
  /**
   * The value, to modify in place (an accumulator), no `put` needed: a private copy while a checkpoint still
   * reads the stored one. Values from `get` must not be modified.
   */
  getForUpdate(key: K, encoded?: string): V | undefined;
  put(key: K, value: V, encoded?: string): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K, encoded?: string): void;
  contains(key: K): boolean;
  /** Do not modify the map while iterating; collect keys first. */
  entries(): Iterable<readonly [K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  isEmpty(): boolean;
}

/** The state handle a descriptor gives. */
export type StateFor<D extends KeyedStateDescriptor> =
  D extends ValueStateDescriptor<infer T>
    ? ValueState<T>
    : D extends ListStateDescriptor<infer T>
      ? ListState<T>
      : D extends MapStateDescriptor<infer K, infer V>
        ? MapState<K, V>
        : D extends ReducingStateDescriptor<infer T>
          ? ReducingState<T>
          : D extends AggregatingStateDescriptor<infer IN, any, infer OUT>
            ? AggregatingState<IN, OUT>
            : never;

export function layoutOf(kind: KeyedStateKind): CellLayout {
  return kind === 'map' ? 'map' : 'value';
}

abstract class StateHandle {
  protected namespace = '';

  constructor(
    protected readonly backend: KeyedStateBackend,
    protected readonly current: CurrentKey,
    protected readonly name: string,
  ) {}

  setNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  protected checkKey(): void {
    if (this.current.keyGroup < 0) {
      throw new Error(`keyed state '${this.name}' was used with no current key: call ctx.setCurrentKey(key) first`);
    }
  }

  clear(): void {
    this.checkKey();
    this.backend.remove(this.name, this.current.keyGroup, this.current.stateKey, this.namespace);
  }

  protected read(): unknown {
    this.checkKey();
    return this.backend.get(this.name, this.current.keyGroup, this.current.stateKey, this.namespace);
  }

  protected write(value: unknown): void {
    this.checkKey();
    this.backend.put(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, value);
  }
}

class ValueStateImpl<T> extends StateHandle implements ValueState<T> {
  value(): T | undefined {
    return this.read() as T | undefined;
  }
  update(value: T): void {
    if (value === undefined) this.clear();
    else this.write(value);
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

class ListStateImpl<T> extends StateHandle implements ListState<T> {
  get(): readonly T[] {
    return (this.read() as T[] | undefined) ?? EMPTY;
  }
  add(value: T): void {
    this.addAll([value]);
  }
  addAll(values: readonly T[]): void {
    this.checkKey();
    if (values.length > 0) this.backend.append(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, values);
  }
  update(values: readonly T[]): void {
    if (values.length === 0) this.clear();
    else this.write(values.slice());
  }
}

class ReducingStateImpl<T> extends StateHandle implements ReducingState<T> {
  constructor(backend: KeyedStateBackend, current: CurrentKey, private readonly descriptor: ReducingStateDescriptor<T>) {
    super(backend, current, descriptor.name);
  }
  get(): T | undefined {
    return this.read() as T | undefined;
  }
  add(value: T): void {
    const stored = this.read() as T | undefined;
    this.write(stored === undefined ? value : this.descriptor.reduce(stored, value));
  }
}

class AggregatingStateImpl<IN, ACC, OUT> extends StateHandle implements AggregatingState<IN, OUT> {
  constructor(backend: KeyedStateBackend, current: CurrentKey, private readonly descriptor: AggregatingStateDescriptor<IN, ACC, OUT>) {
    super(backend, current, descriptor.name);
  }
  get(): OUT | undefined {
    const accumulator = this.read() as ACC | undefined;
    return accumulator === undefined ? undefined : this.descriptor.aggregate.getResult(accumulator);
  }
  add(value: IN): void {
    this.checkKey();
    const { keyGroup, stateKey } = this.current;
    const stored = this.backend.getForUpdate(this.name, keyGroup, stateKey, this.namespace) as ACC | undefined;
    const accumulator = stored === undefined ? this.descriptor.aggregate.createAccumulator() : stored;
    this.backend.put(this.name, keyGroup, stateKey, this.namespace, this.descriptor.aggregate.add(accumulator, value));
  }
}

class MapStateImpl<K, V> extends StateHandle implements MapState<K, V> {
  get(key: K, encoded = encodeMapKey(key)): V | undefined {
    this.checkKey();
    return this.backend.mapGet(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, encoded) as V | undefined;
  }
  getForUpdate(key: K, encoded = encodeMapKey(key)): V | undefined {
    this.checkKey();
    return this.backend.mapGetForUpdate(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, encoded) as V | undefined;
  }
  put(key: K, value: V, encoded = encodeMapKey(key)): void {
    this.checkKey();
    this.backend.mapPut(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, encoded, key, value);
  }
  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [key, value] of entries) this.put(key, value);
  }
  remove(key: K, encoded = encodeMapKey(key)): void {
    this.checkKey();
    this.backend.mapRemove(this.name, this.current.keyGroup, this.current.stateKey, this.namespace, encoded);
  }
  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }
  entries(): Iterable<readonly [K, V]> {
    this.checkKey();
    return this.backend.mapEntries(this.name, this.current.keyGroup, this.current.stateKey, this.namespace) as Iterable<readonly [K, V]>;
  }
  *keys(): Iterable<K> {
    for (const [key] of this.entries()) yield key;
  }
  *values(): Iterable<V> {
    for (const [, value] of this.entries()) yield value;
  }
  isEmpty(): boolean {
    this.checkKey();
    return this.backend.mapSize(this.name, this.current.keyGroup, this.current.stateKey, this.namespace) === 0;
  }
}

/** Creates the handle for `descriptor` over `backend`, registering the state. */
export function createKeyedState<D extends KeyedStateDescriptor>(backend: KeyedStateBackend, current: CurrentKey, descriptor: D): StateFor<D> {
  backend.register(descriptor.name, layoutOf(descriptor.kind));
  switch (descriptor.kind) {
    case 'value':
      return new ValueStateImpl(backend, current, descriptor.name) as unknown as StateFor<D>;
    case 'list':
      return new ListStateImpl(backend, current, descriptor.name) as unknown as StateFor<D>;
    case 'map':
      return new MapStateImpl(backend, current, descriptor.name) as unknown as StateFor<D>;
    case 'reducing':
      return new ReducingStateImpl(backend, current, descriptor) as unknown as StateFor<D>;
    case 'aggregating':
      return new AggregatingStateImpl(backend, current, descriptor) as unknown as StateFor<D>;
  }
}
