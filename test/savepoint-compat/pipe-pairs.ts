import { compile } from '../../compiler/compile.js';
import type { FunctionSignatures } from '../../compiler/functions/registry.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import type { CompatibilityReport, OperatorReport, StateReport } from '../../compiler/savepoint-compat/report.js';
import type { SnapshotContents } from '../../compiler/savepoint-compat/snapshot-contents.js';

/** Nexmark bids (`options` replaces the connector options) and a print sink: the frame of most test programs. */
export function bidsJob(steps: string, options = `'connector' = 'nexmark', 'table' = 'bid', 'events' = '1000'`): string {
  return `
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (${options}) UID 'bids';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bid
${steps};
`;
}

export function graphOf(text: string, file: string, functions: FunctionSignatures = {}): JobGraph {
  const { value, diagnostics } = compile(text, { file, functions });
  if (value === undefined) throw new Error(`${file} does not compile:\n${diagnostics.map((d) => d.message).join('\n')}`);
  return value;
}

/** What a savepoint of `graph` holds: 100 bytes of every declared state, except the `uid/state` pairs in `empty`. */
export function snapshotOf(graph: JobGraph, empty: readonly string[] = []): SnapshotContents {
  const operators: SnapshotContents['operators'] = {};
  for (const op of graph.operators) {
    if (op.uid === null) continue;
    const states = op.state.map((s) => [s.name, { bytes: empty.includes(`${op.uid}/${s.name}`) ? 0 : 100, entries: 3 }] as const);
    operators[op.uid] = { states: Object.fromEntries(states) };
  }
  return { maxParallelism: graph.config.maxParallelism, operators };
}

export interface CheckOptions {
  readonly allowNonRestoredState?: boolean;
  /** `uid/state` pairs the savepoint holds nothing of. */
  readonly empty?: readonly string[];
  /** The process functions and UDFs of the old program, and of the new one when `nextFunctions` is not given. */
  readonly functions?: FunctionSignatures;
  readonly nextFunctions?: FunctionSignatures;
}

/** Compiles the old and the new program and checks a savepoint of the old one against the new one. */
export function checkPair(oldText: string, newText: string, options: CheckOptions = {}): CompatibilityReport {
  const previous = graphOf(oldText, 'old.pipe', options.functions);
  const next = graphOf(newText, 'job.pipe', options.nextFunctions ?? options.functions);
  return checkCompatibility(previous, next, snapshotOf(previous, options.empty), { allowNonRestoredState: options.allowNonRestoredState ?? false });
}

export function operatorIn(report: CompatibilityReport, uid: string): OperatorReport {
  const op = report.operators.find((o) => o.uid === uid);
  if (op === undefined) throw new Error(`no operator '${uid}' in the report: ${report.operators.map((o) => o.uid).join(', ')}`);
  return op;
}

export function stateIn(report: CompatibilityReport, uid: string, name: string): StateReport {
  const state = operatorIn(report, uid).states.find((s) => s.name === name);
  if (state === undefined) throw new Error(`'${uid}' has no state '${name}' in the report`);
  return state;
}

/** The codes of a state's own reasons and its step's, in order: what a test asserts about why. */
export function codesOf(report: CompatibilityReport, uid: string, state?: string): string[] {
  const op = operatorIn(report, uid);
  const own = state === undefined ? [] : stateIn(report, uid, state).reasons;
  return [...op.findings, ...own].map((f) => f.code);
}
