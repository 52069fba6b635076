import type { JobGraph, Operator, StateDescriptor } from '../graph/job-graph.js';
import type { SnapshotContents, StateSize } from './snapshot-contents.js';

/** A state the savepoint has: declared by the job graph stored with it, held by the snapshot, or both. */
export interface SavedState {
  readonly descriptor: StateDescriptor | undefined;
  /** Undefined: the snapshot holds nothing of it. */
  readonly size: StateSize | undefined;
}

/**
 * One uid of the savepoint or the new job, with the step under it on each side. Steps without uid are left
 * out: they never hold state (the compiler requires a uid of every stateful step).
 */
export interface OperatorMatch {
  readonly uid: string;
  /** The step in the job graph the savepoint was taken with. */
  readonly previous: Operator | undefined;
  readonly next: Operator | undefined;
  /** Whether the savepoint has the uid, in its job graph or in what it holds. */
  readonly saved: boolean;
  readonly savedStates: ReadonlyMap<string, SavedState>;
}

function byUid(graph: JobGraph): Map<string, Operator> {
  return new Map(graph.operators.flatMap((op) => (op.uid === null ? [] : [[op.uid, op] as const])));
}

function savedStatesOf(previous: Operator | undefined, held: Readonly<Record<string, StateSize>>): Map<string, SavedState> {
  const states = new Map<string, SavedState>();
  for (const descriptor of previous?.state ?? []) states.set(descriptor.name, { descriptor, size: held[descriptor.name] });
  for (const [name, size] of Object.entries(held)) if (!states.has(name)) states.set(name, { descriptor: undefined, size });
  return states;
}

/** Matches steps by uid alone, as a restore does: the new job's uids in its order, then those only the savepoint has. */
export function matchOperators(previous: JobGraph, next: JobGraph, snapshot: SnapshotContents): OperatorMatch[] {
  const before = byUid(previous);
  const after = byUid(next);
  const uids = new Set([...after.keys(), ...before.keys(), ...Object.keys(snapshot.operators).sort()]);
  return [...uids].map((uid) => {
    const held = snapshot.operators[uid]?.states;
    const old = before.get(uid);
    return {
      uid,
      previous: old,
      next: after.get(uid),
      saved: old !== undefined || held !== undefined,
      savedStates: savedStatesOf(old, held ?? {}),
    };
  });
}
