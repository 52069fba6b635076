import { expect } from 'vitest';
import { compile, type CompileOptions } from '../../compiler/compile.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { JobGraphSchema, type JobGraph, type Operator, type OperatorKind } from '../../compiler/graph/job-graph.js';

/** Shared by the planning and compile tests: Nexmark sources, a sink, and compile-and-inspect helpers. */

const WATERMARK = "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND";
const nexmark = (table: string): string => `WITH ('connector' = 'nexmark', 'table' = '${table}', 'events' = '1000') UID '${table}-source';`;

export const BID = `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
  date_time TIMESTAMP(3), extra STRING, ${WATERMARK}) ${nexmark('bid')}`;
export const AUCTION = `CREATE SOURCE auction (id BIGINT, item_name STRING, description STRING, initial_bid BIGINT,
  reserve BIGINT, date_time TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING, ${WATERMARK}) ${nexmark('auction')}`;
export const PERSON = `CREATE SOURCE person (id BIGINT, name STRING, email_address STRING, credit_card STRING, city STRING,
  state STRING, date_time TIMESTAMP(3), extra STRING, ${WATERMARK}) ${nexmark('person')}`;

export function sink(name = 'out'): string {
  return `CREATE SINK ${name} WITH ('connector' = 'blackhole') UID '${name}-sink';`;
}

/** Compiles a program that must have no error; the graph is checked against the job graph's schema. */
export function compileGraph(text: string, options?: CompileOptions): JobGraph {
  const result = compile(text, options);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return JobGraphSchema.parse(result.value);
}

/** The one operator of `kind` in the graph. */
export function operatorOf(graph: JobGraph, kind: OperatorKind): Operator {
  const found = graph.operators.filter((op) => op.spec.kind === kind);
  expect(found.map((op) => op.id)).toHaveLength(1);
  return found[0]!;
}

/** The spec of the one operator of `kind`, narrowed to that kind. */
export function specOf<K extends OperatorKind>(graph: JobGraph, kind: K): Extract<Operator['spec'], { kind: K }> {
  return operatorOf(graph, kind).spec as Extract<Operator['spec'], { kind: K }>;
}

export function kinds(graph: JobGraph): OperatorKind[] {
  return graph.operators.map((op) => op.spec.kind);
}

export function fieldNames(op: Operator): string[] {
  return op.output.fields.map((f) => f.name);
}

const NAME_OF_CODE = new Map<string, string>(Object.entries(Diagnostics).map(([name, definition]) => [definition.code, name]));

/** Diagnostics as `CatalogueName @ 'text the span covers'`, to pin both what is reported and where. */
export function reported(text: string, options?: CompileOptions): string[] {
  return compile(text, options).diagnostics.map((d: Diagnostic) => `${NAME_OF_CODE.get(d.code)} @ '${text.slice(d.span.offset, d.span.offset + d.span.length)}'`);
}

/** The messages of the diagnostics, in order of position. */
export function messages(text: string, options?: CompileOptions): string[] {
  return compile(text, options).diagnostics.map((d) => d.message);
}
