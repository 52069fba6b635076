import type * as z from 'zod';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { createDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { topologicalOrder } from './chaining.js';
import { JOB_GRAPH_FORMAT_VERSION, JobGraphSchema, type JobGraph } from './job-graph.js';

export interface GraphLoadResult {
  readonly value: JobGraph | undefined;
  readonly diagnostics: Diagnostic[];
}

/** Past this many problems the rest are summed up in one line: a foreign file would otherwise flood the terminal. */
const MAX_REPORTED = 10;

const WHOLE_FILE = { offset: 0, length: 0 };

/** `operators[2].spec.kind`: a zod issue path as one would write it in JavaScript. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the top level';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

interface Problem {
  readonly where: string;
  readonly problem: string;
}

function schemaProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({ where: formatPath(issue.path), problem: issue.message }));
}

/** What the schema cannot say: ids unique, edges and chains naming real operators, no cycle, each operator in one chain. */
function structuralProblems(graph: JobGraph): Problem[] {
  const problems: Problem[] = [];
  const operators = new Map<string, JobGraph['operators'][number]>();
  const uids = new Set<string>();
  graph.operators.forEach((op, i) => {
    if (operators.has(op.id)) problems.push({ where: `operators[${i}].id`, problem: `the id '${op.id}' is used by another operator` });
    operators.set(op.id, op);
    if (op.uid !== null) {
      if (uids.has(op.uid)) problems.push({ where: `operators[${i}].uid`, problem: `the uid '${op.uid}' is used by another operator` });
      uids.add(op.uid);
    }
  });
  graph.edges.forEach((edge, i) => {
    if (!operators.has(edge.from)) problems.push({ where: `edges[${i}].from`, problem: `no operator has the id '${edge.from}'` });
    const to = operators.get(edge.to);
    if (to === undefined) problems.push({ where: `edges[${i}].to`, problem: `no operator has the id '${edge.to}'` });
    else if (edge.toInput >= to.inputs.length) {
      problems.push({ where: `edges[${i}].toInput`, problem: `operator '${edge.to}' has ${to.inputs.length} input(s), not ${edge.toInput + 1}` });
    }
  });
  const chained = new Set<string>();
  graph.chains.forEach((chain, i) => {
    chain.operators.forEach((id, j) => {
      const where = `chains[${i}].operators[${j}]`;
      if (!operators.has(id)) problems.push({ where, problem: `no operator has the id '${id}'` });
      else if (chained.has(id)) problems.push({ where, problem: `operator '${id}' is in more than one chain` });
      chained.add(id);
    });
  });
  for (const id of operators.keys()) {
    if (!chained.has(id)) problems.push({ where: 'chains', problem: `operator '${id}' is in no chain` });
  }
  if (problems.length === 0 && topologicalOrder(graph.operators, graph.edges) === undefined) {
    problems.push({ where: 'edges', problem: 'the edges form a cycle' });
  }
  return problems;
}

function report(problems: readonly Problem[], file: string): Diagnostic[] {
  const shown = problems.slice(0, MAX_REPORTED);
  const rest = problems.length - shown.length;
  return shown.map((p, i) => {
    const problem = i === shown.length - 1 && rest > 0 ? `${p.problem} (and ${rest} more problems)` : p.problem;
    return createDiagnostic(Diagnostics.GraphInvalid, file, WHOLE_FILE, { path: file, where: p.where, problem });
  });
}

/**
 * Checks a value read from a job graph file: its format version first (a graph from another Sluice version
 * gets one clear message rather than a list of schema differences), then the schema, then the references
 * between operators, edges and chains.
 */
export function validateJobGraph(data: unknown, file: string): GraphLoadResult {
  const version = typeof data === 'object' && data !== null ? (data as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version === 'number' && version !== JOB_GRAPH_FORMAT_VERSION) {
    const args = { path: file, found: version, expected: JOB_GRAPH_FORMAT_VERSION };
    return { value: undefined, diagnostics: [createDiagnostic(Diagnostics.GraphFormatVersion, file, WHOLE_FILE, args)] };
  }
  const parsed = JobGraphSchema.safeParse(data);
  if (!parsed.success) return { value: undefined, diagnostics: report(schemaProblems(parsed.error), file) };
  const problems = structuralProblems(parsed.data);
  return problems.length === 0 ? { value: parsed.data, diagnostics: [] } : { value: undefined, diagnostics: report(problems, file) };
}

/** Parses the text of a job graph file (as written by `sluice compile --graph json`) and validates it. */
export function loadJobGraph(text: string, file: string): GraphLoadResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { value: undefined, diagnostics: [createDiagnostic(Diagnostics.GraphNotJson, file, WHOLE_FILE, { path: file, reason })] };
  }
  return validateJobGraph(data, file);
}
