/**
 * Raw state (Flink's raw operator state): bytes per subtask and state name that user code writes and reads back
 * itself; Sluice stores them in a file of their own per checkpoint and never looks inside.
 *
 * What a snapshot stores is the bytes last written (`write`) in this run. A restored subtask starts with the
 * parts the previous run wrote: at an unchanged parallelism its own part only, which it keeps storing until it
 * writes; at another parallelism every old subtask's part, in old subtask order (Flink's union redistribution:
 * each new subtask takes what it needs), and it stores nothing until it writes.
 */

export interface RawState {
  /** What the restored snapshot held of this state: no part, this subtask's own, or every old subtask's. */
  restored(): readonly Uint8Array[];
  /** The bytes the next snapshots store (copied now); `undefined` stores nothing. */
  write(bytes: Uint8Array | undefined): void;
}

/** One raw state of one subtask, as snapshotted. */
export interface RawStateSnapshot {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** One raw state as a restored subtask gets it (redistributeRawState). */
export interface RestoredRawState {
  readonly name: string;
  readonly parts: readonly Uint8Array[];
  /** The parts are this subtask's own (one, or none): kept until the first write. */
  readonly own: boolean;
}

class RawStateImpl implements RawState {
  current: Uint8Array | undefined;
  constructor(private readonly parts: readonly Uint8Array[], own: boolean) {
    this.current = own ? parts[0] : undefined;
  }
  restored(): readonly Uint8Array[] {
    return this.parts;
  }
  write(bytes: Uint8Array | undefined): void {
    if (bytes !== undefined && !(bytes instanceof Uint8Array)) {
      throw new TypeError(`raw state takes a Uint8Array (or a Buffer), not ${typeof bytes}: encode what you keep into bytes first`);
    }
    // Copied: the caller may reuse its buffer, and the snapshot is written after the task went on.
    this.current = bytes === undefined ? undefined : Uint8Array.prototype.slice.call(bytes);
  }
}

const NONE: readonly Uint8Array[] = Object.freeze([]);

export class RawStateStore {
  private readonly states = new Map<string, RawStateImpl>();
  private restoredStates = new Map<string, RestoredRawState>();

  /** The raw state `name`, holding what was restored into it. */
  get(name: string): RawState {
    let state = this.states.get(name);
    if (state === undefined) {
      const restored = this.restoredStates.get(name);
      state = new RawStateImpl(restored?.parts ?? NONE, restored?.own ?? false);
      this.states.set(name, state);
    }
    return state;
  }

  restore(states: readonly RestoredRawState[]): void {
    this.restoredStates = new Map(states.map((state) => [state.name, state]));
  }

  /** The bytes to store per state (the synchronous part of a checkpoint); a restored own part never opened is kept too. */
  snapshot(): RawStateSnapshot[] {
    const result = new Map<string, RawStateSnapshot>();
    for (const [name, restored] of this.restoredStates) if (restored.own && restored.parts.length > 0) result.set(name, { name, bytes: restored.parts[0]! });
    for (const [name, state] of this.states) {
      if (state.current === undefined) result.delete(name);
      else result.set(name, { name, bytes: state.current });
    }
    return [...result.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/**
 * Deals the raw state of `previous` (per old subtask, its states) to `parallelism` new subtasks: each its own at
 * an unchanged parallelism, else every part to every subtask, in old subtask order.
 */
export function redistributeRawState(previous: readonly (readonly RawStateSnapshot[])[], parallelism: number): RestoredRawState[][] {
  if (previous.length === parallelism) return previous.map((states) => states.map(({ name, bytes }) => ({ name, parts: [bytes], own: true })));
  const byName = new Map<string, Uint8Array[]>();
  for (const states of previous) {
    for (const { name, bytes } of states) {
      const parts = byName.get(name) ?? [];
      parts.push(bytes);
      byName.set(name, parts);
    }
  }
  const all = [...byName].map(([name, parts]): RestoredRawState => ({ name, parts, own: false }));
  return Array.from({ length: parallelism }, () => all);
}
