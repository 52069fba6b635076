import type { StateTtlConfig } from '../../../compiler/graph/job-graph.js';
import { encodeMapKey } from '../../state/key-codec.js';
import { listState, mapState, valueState, type ListState, type MapState, type ValueState } from '../../state/keyed-state.js';
import { stateTtlTimerNamespace, TTL_ELEMENT_TIMES, TTL_ENTRY_TIMES, TTL_STATE } from '../../state/state-ttl.js';
import type { Timer } from '../../time/timer-service.js';
import type { OperatorContext } from '../operator.js';
import type { ProcessListState, ProcessMapState } from './process-function.js';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Per-element TTL of a process function's list and map state, as Flink's: each list element and each map entry
 * expires on its own, TTL after its write (or its last read, `on-read-and-write`). Its time is kept beside it, in
 * the runtime's `__ttl.element-times` (a list aligned with the state's) or `__ttl.entry-times` (by map key), with
 * the state's name as namespace, so the user's values keep their declared shape (migrations, inspect).
 *
 * The key's `__ttl.written` holds the time of its oldest element: it is set when the first element is written,
 * and one processing-time cleanup timer is pending from then on, at that time plus the TTL at the latest. When the
 * timer fires it removes every expired element and sets itself again for the oldest one left, or forgets the key
 * when none is. With `never-return-expired` (the default) a read also drops expired elements at once, so they are
 * never seen; with `return-expired-if-not-cleaned-up` they are read until the timer removed them.
 *
 * State saved before elements had times of their own (the whole list or map expired TTL after its last write)
 * reads as elements written at that last write: the timer saved with it removes them then.
 */
export class ElementTtl {
  readonly ms: number;
  readonly returnExpired: boolean;
  readonly touchOnRead: boolean;
  private written: ValueState<number> | undefined;

  constructor(
    readonly ctx: OperatorContext,
    readonly name: string,
    config: StateTtlConfig,
  ) {
    this.ms = config.ms;
    this.returnExpired = config.visibility === 'return-expired-if-not-cleaned-up';
    this.touchOnRead = config.update === 'on-read-and-write';
  }

  private cell(): ValueState<number> {
    this.written ??= this.ctx.getState(valueState<number>(TTL_STATE.name));
    this.written.setNamespace(this.name);
    return this.written;
  }

  /** The time of an element saved without one: the key's oldest write, or `now` for state saved without a TTL. */
  fallback(now: number): number {
    return this.cell().value() ?? now;
  }

  /** An element was written at `now`: the first of the key starts its cleanup timer. */
  wrote(now: number): void {
    const cell = this.cell();
    if (cell.value() !== undefined) return;
    cell.update(now);
    this.ctx.timers.registerProcessingTimeTimer(now + this.ms, stateTtlTimerNamespace(this.name));
  }

  /** The key's oldest element is now `oldest` old (or none is left): the timer follows. */
  oldest(oldest: number | undefined): void {
    const cell = this.cell();
    if (oldest === undefined) return cell.clear();
    cell.update(oldest);
    this.ctx.timers.registerProcessingTimeTimer(oldest + this.ms, stateTtlTimerNamespace(this.name));
  }

  isExpired(time: number, now: number): boolean {
    return time + this.ms <= now;
  }
}

/** The handles of a list state's element times and a map state's entry times (one per operator, any namespace). */
function elementTimes(ctx: OperatorContext): ListState<number> {
  return ctx.getState(listState<number>(TTL_ELEMENT_TIMES.name));
}
function entryTimes(ctx: OperatorContext): MapState<unknown, number> {
  return ctx.getState(mapState<unknown, number>(TTL_ENTRY_TIMES.name));
}

/** A state that lost its TTL between runs: a cleanup timer saved with it drops the element times it kept. */
export function forgetElementTimes(ctx: OperatorContext, name: string): void {
  const list = elementTimes(ctx);
  list.setNamespace(name);
  list.clear();
  const map = entryTimes(ctx);
  map.setNamespace(name);
  map.clear();
}

export class ExpiringListState<T> implements ProcessListState<T> {
  private readonly times: ListState<number>;

  constructor(
    private readonly state: ListState<T>,
    private readonly ttl: ElementTtl,
  ) {
    this.times = elementTimes(ttl.ctx);
  }

  /** The times of `count` elements, in order; those saved without one (the first ones) get the fallback. */
  private timesOf(count: number, now: number): readonly number[] {
    this.times.setNamespace(this.ttl.name);
    const times = this.times.get();
    if (times.length >= count) return times;
    const aligned = new Array<number>(count - times.length).fill(this.ttl.fallback(now));
    for (const time of times) aligned.push(time);
    return aligned;
  }

  /** Drops the expired elements of `values` (times `times`) from state; what is left. */
  private purge(values: readonly T[], times: readonly number[], now: number): readonly T[] {
    let expired = 0;
    for (let i = 0; i < times.length; i++) if (this.ttl.isExpired(times[i]!, now)) expired++;
    if (expired === 0) return values;
    const keptValues: T[] = [];
    const keptTimes: number[] = [];
    let oldest: number | undefined;
    for (let i = 0; i < values.length; i++) {
      const time = times[i]!;
      if (this.ttl.isExpired(time, now)) continue;
      keptValues.push(values[i]!);
      keptTimes.push(time);
      if (oldest === undefined || time < oldest) oldest = time;
    }
    this.state.update(keptValues);
    this.times.update(keptTimes);
    this.ttl.oldest(oldest);
    return keptValues;
  }

  get(): readonly T[] {
    let values = this.state.get();
    if (values.length === 0) return EMPTY;
    const now = this.ttl.ctx.clock.now();
    if (!this.ttl.returnExpired) values = this.purge(values, this.timesOf(values.length, now), now);
    if (this.ttl.touchOnRead && values.length > 0) {
      this.times.setNamespace(this.ttl.name);
      this.times.update(new Array<number>(values.length).fill(now));
      this.ttl.oldest(now);
    }
    return values;
  }

  add(value: T): void {
    const now = this.ttl.ctx.clock.now();
    this.ttl.wrote(now);
    this.state.add(value);
    this.times.setNamespace(this.ttl.name);
    this.times.add(now);
  }

  addAll(values: readonly T[]): void {
    if (values.length === 0) return;
    const now = this.ttl.ctx.clock.now();
    this.ttl.wrote(now);
    this.state.addAll(values);
    this.times.setNamespace(this.ttl.name);
    this.times.addAll(new Array<number>(values.length).fill(now));
  }

  update(values: readonly T[]): void {
    if (values.length === 0) return this.clear();
    const now = this.ttl.ctx.clock.now();
    this.ttl.wrote(now);
    this.state.update(values);
    this.times.setNamespace(this.ttl.name);
    this.times.update(new Array<number>(values.length).fill(now));
    this.ttl.oldest(now);
  }

  clear(): void {
    this.state.clear();
    this.times.setNamespace(this.ttl.name);
    this.times.clear();
    this.ttl.oldest(undefined);
  }

  /** The cleanup timer: expired elements go, whatever the visibility. */
  onTimer(_timer: Timer): void {
    const values = this.state.get();
    const now = this.ttl.ctx.clock.now();
    if (values.length === 0) return this.clear();
    const times = this.timesOf(values.length, now);
    if (this.purge(values, times, now) === values) this.ttl.oldest(Math.min(...times));
  }
}

export class ExpiringMapState<K, V> implements ProcessMapState<K, V> {
  private readonly times: MapState<K, number>;

  constructor(
    private readonly state: MapState<K, V>,
    private readonly ttl: ElementTtl,
  ) {
    this.times = entryTimes(ttl.ctx) as MapState<K, number>;
  }

  private timeOf(key: K, encoded: string, now: number): number {
    this.times.setNamespace(this.ttl.name);
    return this.times.get(key, encoded) ?? this.ttl.fallback(now);
  }

  private removeEntry(key: K, encoded: string): void {
    this.state.remove(key, encoded);
    this.times.setNamespace(this.ttl.name);
    this.times.remove(key, encoded);
  }

  /**
   * Removes every expired entry (`force`: whatever the visibility, as the cleanup does) and, with
   * `on-read-and-write`, restarts the life of those left; then points the timer at the oldest left.
   */
  private sweep(force: boolean, touch: boolean): void {
    const now = this.ttl.ctx.clock.now();
    const expired: [K, string][] = [];
    let oldest: number | undefined;
    for (const key of this.state.keys()) {
      const encoded = encodeMapKey(key);
      const time = this.timeOf(key, encoded, now);
      if ((force || !this.ttl.returnExpired) && this.ttl.isExpired(time, now)) expired.push([key, encoded]);
      else if (oldest === undefined || time < oldest) oldest = time;
    }
    for (const [key, encoded] of expired) this.removeEntry(key, encoded);
    if (touch && oldest !== undefined) {
      this.times.setNamespace(this.ttl.name);
      for (const key of [...this.state.keys()]) this.times.put(key, now);
      oldest = now;
    }
    if (expired.length > 0 || touch || force) this.ttl.oldest(oldest);
  }

  get(key: K): V | undefined {
    const encoded = encodeMapKey(key);
    const value = this.state.get(key, encoded);
    if (value === undefined) return undefined;
    const now = this.ttl.ctx.clock.now();
    if (!this.ttl.returnExpired && this.ttl.isExpired(this.timeOf(key, encoded, now), now)) {
      this.removeEntry(key, encoded);
      if (this.state.isEmpty()) this.ttl.oldest(undefined);
      return undefined;
    }
    if (this.ttl.touchOnRead) {
      this.times.setNamespace(this.ttl.name);
      this.times.put(key, now, encoded);
    }
    return value;
  }

  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }

  put(key: K, value: V): void {
    const encoded = encodeMapKey(key);
    const now = this.ttl.ctx.clock.now();
    this.ttl.wrote(now);
    this.state.put(key, value, encoded);
    this.times.setNamespace(this.ttl.name);
    this.times.put(key, now, encoded);
  }

  remove(key: K): void {
    this.removeEntry(key, encodeMapKey(key));
    if (this.state.isEmpty()) this.ttl.oldest(undefined);
  }

  entries(): Iterable<readonly [K, V]> {
    this.sweep(false, this.ttl.touchOnRead);
    return this.state.entries();
  }

  *keys(): Iterable<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): Iterable<V> {
    for (const [, value] of this.entries()) yield value;
  }

  isEmpty(): boolean {
    if (!this.ttl.returnExpired) this.sweep(false, false);
    return this.state.isEmpty();
  }

  clear(): void {
    this.state.clear();
    this.times.setNamespace(this.ttl.name);
    this.times.clear();
    this.ttl.oldest(undefined);
  }

  /** The cleanup timer: expired entries go, whatever the visibility. */
  onTimer(_timer: Timer): void {
    this.sweep(true, false);
  }
}
