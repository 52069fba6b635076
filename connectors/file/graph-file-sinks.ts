import path from 'node:path';
import type { JobGraph } from '../../compiler/graph/job-graph.js';

/** A `file` sink of a job graph that writes files, with its directory resolved. */
export interface GraphFileSink {
  readonly uid: string;
  readonly dir: string;
  readonly exactlyOnce: boolean;
}

/** The `file` sinks of `graph`, except those a Node API callback replaces (by uid in `callbacks`): they write no files. */
export function fileSinksOf(graph: JobGraph, callbacks: ReadonlyMap<string, unknown>): GraphFileSink[] {
  return graph.operators.flatMap((op) => {
    const uid = op.uid ?? op.id;
    if (op.spec.kind !== 'sink' || op.spec.connector !== 'file' || callbacks.has(uid)) return [];
    const { path: dir, 'sink.semantic': semantic = 'exactly-once' } = op.spec.options;
    return dir === undefined ? [] : [{ uid, dir: path.resolve(dir), exactlyOnce: semantic === 'exactly-once' }];
  });
}
