import type { Script } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source-text.js';
import type { FunctionSignatures } from '../functions/registry.js';
import type { Edge, Operator } from '../graph/job-graph.js';
import type { Catalog } from '../names/catalog.js';
import { resolveSink } from '../names/resolve.js';
import { GraphBuilder } from './graph-builder.js';
import type { PlanContext } from './plan-context.js';
import { planPipeline } from './plan-pipeline.js';
import { addSinkOperator, declareSink, insertInto, type SinkTarget } from './plan-sink.js';
import { planSource } from './plan-source.js';

export interface ScriptPlanInput {
  readonly script: Script;
  readonly catalog: Catalog;
  readonly bag: DiagnosticBag;
  readonly parallelism: number;
  /** `table.exec.state.ttl` (0: none). */
  readonly stateTtlMs: number;
  readonly functions: FunctionSignatures;
  readonly text: SourceText;
}

/**
 * Plans the program in statement order: each source and view once, where it is defined (so definitions come
 * before use, and a view read by several pipelines is shared); each INSERT adds an input to its sink. Only
 * operators whose rows reach a sink are kept. A duplicate definition (already reported) is skipped.
 */
export function planScript(input: ScriptPlanInput): { operators: Operator[]; edges: Edge[] } {
  const { script, catalog, bag, text } = input;
  const graph = new GraphBuilder(input.parallelism, (span) => ({ file: text.file, ...text.positionAt(span.offset), offset: span.offset, length: span.length }));
  const ctx: PlanContext = {
    bag,
    exprs: { bag, udfs: new Map((input.functions.scalars ?? []).map((f) => [f.name, f])) },
    graph,
    catalog,
    processes: new Map((input.functions.processes ?? []).map((f) => [f.name, f])),
    source: text.text,
    stateTtlMs: input.stateTtlMs,
    streams: new Map(),
    materializedWindows: new Map(),
  };
  const sinks = new Map<string, SinkTarget>();
  const isFirstDefinition = (statement: Script['statements'][number], name: string): boolean => catalog.get(name)?.statement === statement;

  script.statements.forEach((statement, index) => {
    switch (statement.kind) {
      case 'SetStatement':
        return;
      case 'CreateSource':
        if (isFirstDefinition(statement, statement.name.name)) ctx.streams.set(statement.name.name, planSource(statement, ctx));
        return;
      case 'CreateSink':
        if (isFirstDefinition(statement, statement.name.name)) sinks.set(statement.name.name, declareSink(statement, ctx));
        return;
      case 'CreateView':
        if (isFirstDefinition(statement, statement.name.name)) ctx.streams.set(statement.name.name, planPipeline(statement.pipeline, index, ctx));
        return;
      case 'InsertInto': {
        const sink = resolveSink(statement.sink, index, catalog, bag);
        const stream = planPipeline(statement.pipeline, index, ctx);
        if (sink !== undefined && stream !== undefined) insertInto(sinks.get(sink.statement.name.name)!, statement, stream, ctx);
        return;
      }
    }
  });
  if (!script.statements.some((s) => s.kind === 'InsertInto')) bag.report(Diagnostics.NoInsert, { offset: script.span.offset, length: 0 });
  for (const target of sinks.values()) addSinkOperator(target, ctx);
  return graph.build();
}
