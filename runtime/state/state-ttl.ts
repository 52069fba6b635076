import * as z from 'zod';
import type { StateDescriptor } from '../../compiler/graph/job-graph.js';
import { TIMESTAMP3 } from '../../compiler/types/sql-type.js';
import type { OperatorContext } from '../operators/operator.js';
import type { Timer } from '../time/timer-service.js';
import { valueState, type ValueState } from './keyed-state.js';

/** When a key's state (of each part, as the state's namespace) was last written: the runtime's own, like timers. */
export const TTL_STATE: StateDescriptor = {
  name: '__ttl.written',
  scope: 'keyed',
  kind: 'value',
  valueType: [{ name: 'written_at', type: TIMESTAMP3, nullable: false }],
  description: "when the key's state was last written, for state TTL (per part: a join's side)",
};

/**
 * When each element of a process function's list state with a TTL was written (or read, with `on-read-and-write`):
 * a list of times per key, the state's name as namespace, in the order of the list's elements. Shorter than the
 * list when it was saved before elements had times of their own: the missing ones are the first, written at the
 * key's `__ttl.written` time.
 */
export const TTL_ELEMENT_TIMES: StateDescriptor = {
  name: '__ttl.element-times',
  scope: 'keyed',
  kind: 'list',
  valueType: [{ name: 'written_at', type: TIMESTAMP3, nullable: false }],
  description: "when each element of a list state was written, for its TTL (the state's name as namespace)",
};

/** The same for map state: the time of each entry by its map key; an entry without one was written at `__ttl.written`. */
export const TTL_ENTRY_TIMES: StateDescriptor = {
  name: '__ttl.entry-times',
  scope: 'keyed',
  kind: 'map',
  valueType: [{ name: 'written_at', type: TIMESTAMP3, nullable: false }],
  description: "when each entry of a map state was written, for its TTL (the state's name as namespace, the entry's key)",
};

/** The state TTL of a saved operator, read from the job-graph spec its snapshot records (unknown to the reader's schema). */
export function savedStateTtlMs(spec: unknown): number | undefined {
  const parsed = z.object({ stateTtlMs: z.number().positive() }).safeParse(spec);
  return parsed.success ? parsed.data.stateTtlMs : undefined;
}

/** Timers of state TTL live in namespaces of their own, `__ttl:<part>`, which an operator's own timers never use. */
const TIMER_NAMESPACE_PREFIX = '__ttl:';

/** The timer namespace of state TTL's cleanup of part `part`. */
export function stateTtlTimerNamespace(part: string): string {
  return TIMER_NAMESPACE_PREFIX + part;
}

export function isStateTtlTimer(timer: Timer): boolean {
  return timer.namespace.startsWith(TIMER_NAMESPACE_PREFIX);
}

/** The part a timer of state TTL is about (a process function's state: its name). */
export function stateTtlTimerPart(timer: Timer): string {
  return timer.namespace.slice(TIMER_NAMESPACE_PREFIX.length);
}

/** A part of an operator's keyed state that expires on its own (a join's side; '' for the whole key). */
export interface TtlPart {
  readonly name: string;
  /** Removes every state of this part for the current key. */
  readonly clear: () => void;
}

/**
 * Idle-state retention by cleanup timers, as Flink's table runtime did before state-level TTL: backend-agnostic,
 * and what it removes is gone from memory or disk and so from the next checkpoint. Per key and part, the time
 * of the last write is kept (not the expiry: a TTL changed between runs then applies to restored state at once)
 * and one processing-time timer at a time is pending. When it fires, a later write re-registers it at the new
 * expiry; else the part's state is cleared. Reads do not extend life (Flink's OnCreateAndWrite).
 *
 * Per key and batch an operator calls `expire(now, part)` before it reads the part's state, so state past its
 * expiry is absent at once even before its timer fires, and `touch(now, part)` after writing it, with `now`
 * read once per batch. Both take the current key; `touch` must follow `expire` of the same key and part.
 * With no TTL (`ttlMs` 0) both do nothing, and timers left by an earlier run with a TTL only drop their cell.
 */
export class StateTtl {
  private written: ValueState<number> | undefined;
  /** Per part: whether `expire` found a live write time (and so a pending timer) for the current key. */
  private readonly live: boolean[];

  constructor(
    private readonly ctx: OperatorContext,
    readonly ttlMs: number,
    private readonly parts: readonly TtlPart[],
  ) {
    this.live = parts.map(() => false);
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** Clears part `part` of the current key if its TTL has passed at `now`. */
  expire(now: number, part = 0): void {
    if (this.ttlMs === 0) return;
    const cell = this.cell(part);
    const writtenAt = cell.value();
    if (writtenAt !== undefined && writtenAt + this.ttlMs <= now) {
      this.parts[part]!.clear();
      cell.clear();
      this.live[part] = false;
    } else {
      this.live[part] = writtenAt !== undefined;
    }
  }

  /**
   * Notes whether part `part` of the current key has a write time, without clearing it when expired: for state
   * read until its cleanup timer removes it (a process function's `return-expired-if-not-cleaned-up`). Like
   * `expire`, it must come before `touch`.
   */
  observe(part = 0): void {
    if (this.ttlMs === 0) return;
    this.live[part] = this.cell(part).value() !== undefined;
  }

  /** Part `part` of the current key was written at `now`: its life starts again. */
  touch(now: number, part = 0): void {
    if (this.ttlMs === 0) return;
    this.cell(part).update(now);
    if (!this.live[part]) {
      this.ctx.timers.registerProcessingTimeTimer(now + this.ttlMs, stateTtlTimerNamespace(this.parts[part]!.name));
      this.live[part] = true;
    }
  }

  /** The operator removed part `part` of the current key itself: its write time goes too. */
  forget(part = 0): void {
    if (this.ttlMs === 0) return;
    this.cell(part).clear();
    this.live[part] = false;
  }

  /** Handles a timer of state TTL (`isStateTtlTimer`), the current key set to the timer's. */
  onTimer(timer: Timer): void {
    const name = stateTtlTimerPart(timer);
    const part = this.parts.findIndex((p) => p.name === name);
    const cell = this.cellNamed(name);
    const writtenAt = cell.value();
    if (writtenAt === undefined) return;
    if (this.ttlMs === 0 || part < 0) {
      cell.clear();
      return;
    }
    const expiry = writtenAt + this.ttlMs;
    if (expiry > this.ctx.clock.now()) {
      this.ctx.timers.registerProcessingTimeTimer(expiry, timer.namespace);
      return;
    }
    this.parts[part]!.clear();
    cell.clear();
  }

  private cell(part: number): ValueState<number> {
    return this.cellNamed(this.parts[part]!.name);
  }

  private cellNamed(name: string): ValueState<number> {
    this.written ??= this.ctx.getState(valueState<number>(TTL_STATE.name));
    this.written.setNamespace(name);
    return this.written;
  }
}
