import { createHash } from 'node:crypto';
import type { JobGraph, StateDescriptor } from './job-graph.js';

/**
 * JSON with object keys sorted at every level, so equal values always give equal text. Like JSON.stringify,
 * it drops properties whose value is undefined.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    );
  });
}

/** What a state descriptor contributes to the digest: its shape, not the words describing it. */
function stateShape({ description: _words, ...shape }: StateDescriptor): Omit<StateDescriptor, 'description'> {
  return shape;
}

/**
 * A sha256 (hex) of what decides whether state written by one graph can be read by another: max parallelism
 * (it fixes the key groups) and, for every operator with a uid, its uid, kind and declared state. Operators are
 * taken in uid order, so reordering statements or editing stateless steps without uids keeps the digest.
 * Checkpoint metadata records it so that a restore can tell quickly whether the graph is unchanged.
 */
export function graphDigest(graph: JobGraph): string {
  const operators = graph.operators
    .filter((op) => op.uid !== null)
    .map((op) => ({ uid: op.uid, kind: op.spec.kind, state: op.state.map(stateShape) }))
    .sort((a, b) => (a.uid! < b.uid! ? -1 : a.uid! > b.uid! ? 1 : 0));
  const material = { formatVersion: graph.formatVersion, maxParallelism: graph.config.maxParallelism, operators };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}
