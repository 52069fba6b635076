import type { StateTtlConfig } from '../../../compiler/graph/job-graph.js';
import type { AggregatingState, ReducingState, ScopedState, ValueState } from '../../state/keyed-state.js';
import { StateTtl } from '../../state/state-ttl.js';
import type { OperatorContext } from '../operator.js';

/**
 * A process function's value, reducing or aggregating state with a TTL (its declaration's `ttl`, Flink's
 * StateTtlConfig; list and map state expire element by element, expiring-elements.ts), per key and state, on StateTtl's write times and cleanup timers (one part named after the state): what expires is removed
 * from memory or disk by the timer, and so from the next checkpoint.
 *
 * Every access first looks at the key's write time. With `never-return-expired` (the default) state past its TTL
 * is cleared there, so it is never seen; with `return-expired-if-not-cleaned-up` a read still sees it until the
 * timer removed it, while a write starts the state over. A write restarts the TTL, and with `on-read-and-write` a
 * read of a non-empty state does too. Removing the state (`clear`) forgets its write time.
 */
export class ExpiringState {
  readonly ttl: StateTtl;
  private readonly returnExpired: boolean;
  private readonly touchOnRead: boolean;

  constructor(
    private readonly ctx: OperatorContext,
    name: string,
    config: StateTtlConfig,
    private readonly state: ScopedState,
  ) {
    this.ttl = new StateTtl(ctx, config.ms, [{ name, clear: () => state.clear() }]);
    this.returnExpired = config.visibility === 'return-expired-if-not-cleaned-up';
    this.touchOnRead = config.update === 'on-read-and-write';
  }

  /** Before a read: expires the current key's state, or only notes its write time when expired state is returned. */
  beforeRead(): number {
    const now = this.ctx.clock.now();
    if (this.returnExpired) this.ttl.observe();
    else this.ttl.expire(now);
    return now;
  }

  /** After a read that found something: `on-read-and-write` restarts the TTL. */
  afterRead(now: number, found: boolean): void {
    if (found && this.touchOnRead) this.ttl.touch(now);
  }

  /** Before a write: state past its TTL goes first, whatever the visibility, so a write starts it over. */
  beforeWrite(): number {
    const now = this.ctx.clock.now();
    this.ttl.expire(now);
    return now;
  }

  afterWrite(now: number): void {
    this.ttl.touch(now);
  }

  clear(): void {
    this.state.clear();
    this.ttl.forget();
  }
}

export class ExpiringValueState<T> {
  constructor(
    private readonly state: ValueState<T>,
    private readonly expiring: ExpiringState,
  ) {}

  value(): T | undefined {
    const now = this.expiring.beforeRead();
    const value = this.state.value();
    this.expiring.afterRead(now, value !== undefined);
    return value;
  }

  update(value: T): void {
    if (value === undefined) return this.clear();
    const now = this.expiring.beforeWrite();
    this.state.update(value);
    this.expiring.afterWrite(now);
  }

  clear(): void {
    this.expiring.clear();
  }
}

/** Reducing or aggregating state: `get` reads, `add` writes. */
export class ExpiringAddingState<IN, OUT> {
  constructor(
    private readonly state: ReducingState<IN> | AggregatingState<IN, OUT>,
    private readonly expiring: ExpiringState,
  ) {}

  get(): OUT | IN | undefined {
    const now = this.expiring.beforeRead();
    const value = this.state.get();
    this.expiring.afterRead(now, value !== undefined);
    return value;
  }

  add(value: IN): void {
    const now = this.expiring.beforeWrite();
    this.state.add(value);
    this.expiring.afterWrite(now);
  }

  clear(): void {
    this.expiring.clear();
  }
}
