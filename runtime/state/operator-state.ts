/**
 * Operator (non-keyed) state: named lists per subtask, as sources keep their split positions and sinks their
 * pending commits. On restore with another parallelism the lists of a state are redistributed as Flink does:
 * `split` concatenates every subtask's list and deals its items round robin (so sources' splits spread over
 * the new subtasks; some may get none); `union` gives every subtask the concatenation of all of them.
 */

export type Redistribution = 'split' | 'union';

export interface OperatorListState<T> {
  /** Whether the snapshot restored held this list (empty or not): a list added later is absent from older ones. */
  readonly restored: boolean;
  /** The elements; valid until the next change. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

/** One operator-state list of one subtask, as snapshotted (elements are plain data, value-codec.ts). */
export interface OperatorStateList {
  readonly name: string;
  readonly redistribution: Redistribution;
  readonly items: readonly unknown[];
}

class OperatorListStateImpl<T> implements OperatorListState<T> {
  items: T[] = [];
  restored = false;
  constructor(readonly redistribution: Redistribution) {}
  get(): readonly T[] {
    return this.items;
  }
  add(value: T): void {
    this.items.push(value);
  }
  addAll(values: readonly T[]): void {
    for (const value of values) this.items.push(value);
  }
  update(values: readonly T[]): void {
    this.items = values.slice();
  }
  clear(): void {
    this.items = [];
  }
}

export class OperatorStateStore {
  private readonly states = new Map<string, OperatorListStateImpl<unknown>>();
  private restored = new Map<string, OperatorStateList>();

  /** The list state `name`, holding what was restored into it, if anything. */
  getListState<T>(name: string, redistribution: Redistribution): OperatorListState<T> {
    const existing = this.states.get(name);
    if (existing !== undefined) {
      if (existing.redistribution !== redistribution) {
        throw new Error(`operator state '${name}' is a ${existing.redistribution} list, not a ${redistribution} list`);
      }
      return existing as OperatorListStateImpl<T>;
    }
    const state = new OperatorListStateImpl<T>(redistribution);
    const restored = this.restored.get(name);
    if (restored !== undefined) {
      state.items = restored.items.slice() as T[];
      state.restored = true;
    }
    this.states.set(name, state as OperatorListStateImpl<unknown>);
    return state;
  }

  /** Copies of every list (the synchronous part of a checkpoint); restored lists never opened are kept too. */
  snapshot(): OperatorStateList[] {
    const lists = new Map<string, OperatorStateList>(this.restored);
    for (const [name, state] of this.states) lists.set(name, { name, redistribution: state.redistribution, items: state.items.slice() });
    return [...lists.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Loads lists (already redistributed for this subtask) before the operator opens them. */
  restore(lists: readonly OperatorStateList[]): void {
    this.restored = new Map(lists.map((list) => [list.name, list]));
  }

  /** Whether anything was restored: a restored subtask must not redo first-start work (e.g. enumerate splits). */
  get isRestored(): boolean {
    return this.restored.size > 0;
  }
}

/**
 * Redistributes the operator state of `previous` (one array of lists per old subtask) over `parallelism` new
 * subtasks. With an unchanged parallelism every subtask keeps its own lists.
 */
export function redistributeOperatorState(previous: readonly (readonly OperatorStateList[])[], parallelism: number): OperatorStateList[][] {
  if (previous.length === parallelism) return previous.map((lists) => lists.slice());
  const byName = new Map<string, { redistribution: Redistribution; items: unknown[] }>();
  for (const lists of previous) {
    for (const list of lists) {
      const merged = byName.get(list.name) ?? { redistribution: list.redistribution, items: [] };
      if (merged.redistribution !== list.redistribution) {
        throw new Error(`operator state '${list.name}' is snapshotted both as a split and as a union list`);
      }
      merged.items.push(...list.items);
      byName.set(list.name, merged);
    }
  }
  const result: OperatorStateList[][] = Array.from({ length: parallelism }, () => []);
  for (const [name, { redistribution, items }] of byName) {
    if (redistribution === 'union') {
      for (const lists of result) lists.push({ name, redistribution, items });
      continue;
    }
    const parts = result.map(() => [] as unknown[]);
    items.forEach((item, i) => parts[i % parallelism]!.push(item));
    parts.forEach((part, subtask) => result[subtask]!.push({ name, redistribution, items: part }));
  }
  return result;
}
