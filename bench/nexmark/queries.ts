import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../compiler/compile.js';
import type { JobGraph, Operator } from '../../compiler/graph/job-graph.js';
import { Job } from '../../runtime/execution/job.js';
import type { JobResult } from '../../runtime/execution/job-options.js';
import type { SinkCallback } from '../../runtime/operators/callback-sink.js';

/**
 * The Nexmark queries of examples/nexmark/, compiled and run the way the benchmark and the correctness tests both
 * need: with the sources' event count and event-time rate chosen by the caller, and the sink read by callback.
 */
export const NEXMARK_QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8'] as const;
export type NexmarkQuery = (typeof NEXMARK_QUERIES)[number];

export function isNexmarkQuery(name: string): name is NexmarkQuery {
  return (NEXMARK_QUERIES as readonly string[]).includes(name);
}

export interface NexmarkRunSize {
  /** Events of all three tables together (Nexmark's count); `'unbounded'` generates until cancelled. */
  readonly events: number | 'unbounded';
  /** Events per second of event time. */
  readonly rate: number;
  readonly parallelism: number;
}

export function queryText(query: NexmarkQuery): string {
  return readFileSync(fileURLToPath(new URL(`../../examples/nexmark/${query}.pipe`, import.meta.url)), 'utf8');
}

/**
 * Compiles the example as written, then sets `events` and `rate` on its nexmark sources. Changing the options in
 * the compiled graph keeps the example files untouched and needs no text surgery; both values are checked here as
 * the compiler would check them. Throws when the example does not compile: that is a broken example.
 */
export function compileQuery(query: NexmarkQuery, size: NexmarkRunSize): JobGraph {
  if (size.events !== 'unbounded' && !(Number.isSafeInteger(size.events) && size.events >= 1)) {
    throw new Error(`events must be a positive integer, not ${size.events}`);
  }
  if (!(size.rate >= 1)) throw new Error(`rate must be at least 1 event per second, not ${size.rate}`);
  const { value, diagnostics } = compile(queryText(query), {
    file: `examples/nexmark/${query}.pipe`,
    settings: { 'parallelism.default': String(size.parallelism) },
  });
  if (value === undefined) {
    throw new Error(`examples/nexmark/${query}.pipe does not compile:\n${diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  }
  return { ...value, operators: value.operators.map((operator) => withSize(operator, size)) };
}

function withSize(operator: Operator, size: NexmarkRunSize): Operator {
  const spec = operator.spec;
  if (spec.kind !== 'source' || spec.connector !== 'nexmark') return operator;
  const options: Record<string, string> = { ...spec.options, rate: String(size.rate) };
  if (size.events === 'unbounded') delete options['events'];
  else options['events'] = String(size.events);
  return { ...operator, spec: { ...spec, options } };
}

/** The uid of the query's only sink. */
export function sinkUid(graph: JobGraph): string {
  const sinks = graph.operators.filter((op) => op.spec.kind === 'sink');
  if (sinks.length !== 1 || sinks[0]!.uid === null) throw new Error(`${graph.file} should have exactly one sink with a UID`);
  return sinks[0]!.uid;
}

/** Starts the query with its sink read by `onRows`; the caller awaits `done` or cancels. */
export function startQuery(graph: JobGraph, onRows: SinkCallback): Promise<Job> {
  return Job.start(graph, { sinks: { [sinkUid(graph)]: onRows } });
}

export async function runQuery(graph: JobGraph, onRows: SinkCallback): Promise<JobResult> {
  const job = await startQuery(graph, onRows);
  return job.done;
}
