import path from 'node:path';
import { parse } from '../grammar/parse.js';
import type { CreateSource, Script, SetStatement } from '../grammar/ast/index.js';
import { resolveJobConfig } from './config/settings.js';
import { Diagnostics } from './diagnostics/catalogue.js';
import { DiagnosticBag, hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import { SourceText } from './diagnostics/source-text.js';
import { resolveSignatures, type FunctionSignaturesInput } from './functions/signature-schema.js';
import { buildChains } from './graph/chaining.js';
import { formatPath } from './graph/validate-graph.js';
import { JOB_GRAPH_FORMAT_VERSION, type JobGraph, type Operator } from './graph/job-graph.js';
import { buildCatalog } from './names/catalog.js';
import { checkCreatedFunctions } from './names/created-functions.js';
import { checkUids } from './names/uids.js';
import { reportUnused } from './names/unused.js';
import { checkAlignmentGroups } from './connectors/watermark-alignment.js';
import { planScript } from './plan/plan-script.js';
import { resolveStateTtl } from './plan/state-ttl.js';

export interface CompileOptions {
  /** The file name used in diagnostics and origins; its base name without `.pipe` is the default pipeline name. */
  readonly file?: string;
  /** Configuration overrides (`--set key=value`); they win over the program's SET statements. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Signatures of the scalar UDFs and process functions the program may call (the definitions themselves do);
   * types may be spelled as strings (`'DECIMAL(10, 2)'`). For CREATE FUNCTION statements, pass what
   * `loadCreatedFunctions(text, { file })` loaded.
   */
  readonly functions?: FunctionSignaturesInput;
}

export interface CompileResult {
  /** The job graph, only when there is no error. */
  readonly value: JobGraph | undefined;
  /** Every error, warning and note, in order of position. */
  readonly diagnostics: Diagnostic[];
}

const STDIN_FILE = '<input>';

/** The planned source operators with their CREATE SOURCE statements (an operator's origin is its statement's span). */
function plannedSources(script: Script, operators: readonly Operator[]): { stmt: CreateSource; operator: Operator }[] {
  const statements = script.statements.filter((s): s is CreateSource => s.kind === 'CreateSource');
  return operators.flatMap((operator) => {
    const stmt = operator.spec.kind === 'source' ? statements.find((s) => s.span.offset === operator.origin.offset) : undefined;
    return stmt === undefined ? [] : [{ stmt, operator }];
  });
}

function byPosition(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.span.offset - b.span.offset);
}

/**
 * Compiles a `.pipe` program into a job graph: parse; on syntax errors stop there; otherwise resolve the
 * configuration, check names and UIDs, plan every INSERT (and the views and sources it reads), chain the
 * operators. User errors never throw: they are diagnostics.
 */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  const file = options.file ?? STDIN_FILE;
  const parsed = parse(text, file);
  if (hasErrors(parsed.diagnostics)) return { value: undefined, diagnostics: byPosition(parsed.diagnostics) };

  const script = parsed.value;
  const bag = new DiagnosticBag(file);
  bag.items.push(...parsed.diagnostics);
  const signatures = resolveSignatures(options.functions ?? {});
  if ('problems' in signatures) {
    for (const { path: where, problem } of signatures.problems) {
      bag.report(Diagnostics.InvalidFunctionSignature, { offset: 0, length: 0 }, { where: formatPath(where), problem });
    }
    return { value: undefined, diagnostics: bag.items };
  }
  const functions = signatures.value;
  checkCreatedFunctions(script, functions, bag);
  const sets = script.statements.filter((s): s is SetStatement => s.kind === 'SetStatement');
  const defaultName = options.file === undefined ? 'pipeline' : path.basename(file).replace(/\.pipe$/, '');
  const config = resolveJobConfig(sets, options.settings ?? {}, bag, defaultName);
  const catalog = buildCatalog(script, bag);
  checkUids(script, bag);
  reportUnused(script, catalog, bag);
  const planned = planScript({
    script,
    catalog,
    bag,
    parallelism: config.parallelism,
    stateTtlMs: config.state.ttlMs,
    functions,
    text: new SourceText(file, text),
  });
  const operators = resolveStateTtl(script, planned.operators, config.state.ttlMs, bag);
  checkAlignmentGroups(plannedSources(script, operators), bag);
  const { edges } = planned;
  const diagnostics = byPosition(bag.items);
  if (hasErrors(diagnostics)) return { value: undefined, diagnostics };
  const graph: JobGraph = {
    formatVersion: JOB_GRAPH_FORMAT_VERSION,
    name: config.pipelineName,
    file,
    config,
    operators,
    edges,
    chains: buildChains(operators, edges),
  };
  return { value: graph, diagnostics };
}
