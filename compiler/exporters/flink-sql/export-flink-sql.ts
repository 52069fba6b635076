import { formatDuration } from '../../config/durations.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { JobGraph, Operator } from '../../graph/job-graph.js';
import { NexmarkTables, declaredName, sinkTable, sourceStatements } from './connector-tables.js';
import { ExportContext, freshName, type Relation } from './export-context.js';
import { flinkIdentifier } from './flink-dialect.js';
import { setStatements } from './set-statements.js';
import { stepQuery } from './step-queries.js';

export interface FlinkSqlExport {
  /** The script; complete only when `diagnostics` hold no error. */
  readonly text: string;
  /** Every construct that does not translate (errors) and every rewrite that behaves differently (warnings). */
  readonly diagnostics: readonly Diagnostic[];
}

function originText(op: Operator): string {
  return `${op.origin.file}:${op.origin.line}:${op.origin.column}`;
}

/**
 * Flink SQL cannot pin operator uids, so each uid is written where its step is: a reader can match the script
 * to the .pipe file, and knows that state under that uid does not carry over.
 */
function uidComment(op: Operator): string {
  const stateful = op.state.length > 0 ? ', stateful: its state starts empty on Flink' : '';
  return `-- UID '${op.uid}' (${originText(op)})${stateful}`;
}

function header(graph: JobGraph): string {
  return [
    `-- Flink SQL for ${graph.file} (pipeline '${graph.name}'), written by \`sluice compile --emit flink-sql\`.`,
    '-- Run it with `sql-client.sh -f <this file>` or TableEnvironment.executeSql, statement by statement.',
    '-- Flink SQL cannot pin operator uids: a Sluice savepoint does not move to Flink, and state starts fresh there.',
    '-- What translates and how: docs/flink.md.',
  ].join('\n');
}

/**
 * A step's own state TTL (`UID '…' TTL …`) does not carry over: the exported queries have no STATE_TTL hints, so
 * on Flink the step takes the job's `table.exec.state.ttl`. Said when the two differ.
 */
function reportOwnStateTtl(op: Operator, jobTtlMs: number, ctx: ExportContext): void {
  if (!('stateTtlMs' in op.spec)) return;
  const ttlMs = op.spec.stateTtlMs ?? 0;
  if (ttlMs === jobTtlMs) return;
  const describe = (ms: number): string => (ms === 0 ? 'none (kept forever)' : formatDuration(ms));
  ctx.report(op, Diagnostics.FlinkRewrite, {
    what: 'the state TTL',
    difference: `Flink keeps its state by 'table.exec.state.ttl' (${describe(jobTtlMs)}), not by the step's own TTL (${describe(ttlMs)})`,
    help: "add Flink's STATE_TTL hint (regular joins and group aggregates) to the step's query in the exported script, or use the job's TTL for the step",
  });
}

/**
 * Translates a job graph into a Flink SQL script: SET statements, a CREATE TABLE per source and sink, a
 * CREATE VIEW per step, and one EXECUTE STATEMENT SET with an INSERT per sink. Every construct that does not
 * translate is reported, not just the first.
 */
export function toFlinkSql(graph: JobGraph): FlinkSqlExport {
  const ctx = new ExportContext();
  const byId = new Map(graph.operators.map((op) => [op.id, op]));
  const relations = new Map<string, Relation | undefined>();
  const names: string[] = graph.operators.filter((op) => op.spec.kind === 'source' || op.spec.kind === 'sink').map(declaredName);
  const nexmark = new NexmarkTables();
  const sources: string[] = [];
  const views: string[] = [];
  const sinks: string[] = [];
  const inserts: string[] = [];

  const inputsOf = (op: Operator): (Relation | undefined)[] =>
    graph.edges
      .filter((e) => e.to === op.id)
      .sort((a, b) => a.toInput - b.toInput)
      .map((e) => relationOf(byId.get(e.from)!));

  // Each operator becomes its relation once, after its inputs (views must be created before they are read).
  const relationOf = (op: Operator): Relation | undefined => {
    if (relations.has(op.id)) return relations.get(op.id);
    let relation: Relation | undefined;
    const spec = op.spec;
    if (spec.kind === 'source') {
      const translated = sourceStatements(op, spec, nexmark, ctx);
      const [first, ...rest] = translated.statements;
      sources.push(`${uidComment(op)}\n${first}`, ...rest);
      relation = translated.relation;
    } else if (spec.kind !== 'sink') {
      const inputs = inputsOf(op);
      const step = inputs.every((i) => i !== undefined) ? stepQuery(op, inputs as Relation[], ctx) : undefined;
      if (step !== undefined) {
        const name = freshName(op.id.replace(/[^A-Za-z0-9_]/g, '_'), names);
        names.push(name);
        const comment = op.uid === null ? `-- ${op.name} (${originText(op)})` : uidComment(op);
        views.push(`${comment}\nCREATE TEMPORARY VIEW ${flinkIdentifier(name)} AS\n${step.query};`);
        relation = { name: flinkIdentifier(name), columns: step.columns };
      }
    }
    relations.set(op.id, relation);
    return relation;
  };

  for (const op of graph.operators) {
    const spec = op.spec;
    if (spec.kind !== 'sink') {
      relationOf(op);
      reportOwnStateTtl(op, graph.config.state.ttlMs, ctx);
      continue;
    }
    const [input] = inputsOf(op);
    if (input === undefined) continue;
    sinks.push(`${uidComment(op)}\n${sinkTable(op, spec, input.columns, ctx)}`);
    inserts.push(`INSERT INTO ${flinkIdentifier(declaredName(op))}\nSELECT *\nFROM ${input.name};`);
    if (spec.connector === 'file' && graph.config.checkpointing.intervalMs === null) {
      ctx.report(op, Diagnostics.FlinkRewrite, {
        what: 'the file sink',
        difference: "Flink's filesystem sink commits part files only when a checkpoint completes, and checkpointing is off",
        help: "SET 'execution.checkpointing.interval' (e.g. '10 s') in the .pipe file",
      });
    }
  }
  const sets = setStatements(graph, ctx);
  const sections = [
    header(graph),
    sets.join('\n'),
    sources.join('\n\n'),
    views.join('\n\n'),
    sinks.join('\n\n'),
    `EXECUTE STATEMENT SET\nBEGIN\n\n${inserts.join('\n\n')}\n\nEND;`,
  ];
  const diagnostics = [...ctx.diagnostics].sort((a, b) => a.span.offset - b.span.offset);
  return { text: `${sections.filter((s) => s !== '').join('\n\n')}\n`, diagnostics };
}
