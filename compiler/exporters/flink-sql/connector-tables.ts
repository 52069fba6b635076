import { NEXMARK_TABLES, type NexmarkTable } from '../../../connectors/nexmark/tables.js';
import { ALIGNMENT_GROUP } from '../../connectors/watermark-alignment.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { Operator, OperatorSpec } from '../../graph/job-graph.js';
import { typeToString } from '../../types/sql-type.js';
import { formatDuration } from '../describe.js';
import { renderExprIn, stringLiteral } from '../render-expr.js';
import type { ExportContext, Relation } from './export-context.js';
import { FLINK_DIALECT, flinkColumn, flinkIdentifier } from './flink-dialect.js';

type SourceSpec = Extract<OperatorSpec, { kind: 'source' }>;
type SinkSpec = Extract<OperatorSpec, { kind: 'sink' }>;
type Options = Readonly<Record<string, string>>;

/** The name a source or sink was declared with: its operator is named `Source(name)` / `Sink(name)` (compiler/plan). */
export function declaredName(op: Operator): string {
  return /^(?:Source|Sink)\((.*)\)$/.exec(op.name)?.[1] ?? op.id;
}

function withClause(options: readonly (readonly [string, string])[]): string {
  return `WITH (\n${options.map(([key, value]) => `  ${stringLiteral(key)} = ${stringLiteral(value)}`).join(',\n')}\n)`;
}

function createTable(name: string, lines: readonly string[], options: readonly (readonly [string, string])[]): string {
  return `CREATE TEMPORARY TABLE ${flinkIdentifier(name)} (\n${lines.map((l) => `  ${l}`).join(',\n')}\n) ${withClause(options)};`;
}

/** Flink's `json` and `csv` formats, and their options that Sluice's file connector has too. */
function formatOptions(op: Operator, options: Options, ctx: ExportContext, direction: 'read' | 'write'): [string, string][] {
  const format = options['format'] === 'csv' ? 'csv' : 'json';
  const result: [string, string][] = [['format', format]];
  if (format === 'csv') {
    if (options['csv.field-delimiter'] !== ',') result.push(['csv.field-delimiter', options['csv.field-delimiter'] ?? ',']);
    if (options['csv.header'] === 'true') {
      ctx.report(op, Diagnostics.FlinkRewrite, {
        what: "'csv.header' = 'true'",
        difference: direction === 'read' ? 'Flink\'s csv format has no header line: it reads the first line of every file as a row, and matches columns by position, not by name' : 'Flink\'s csv format writes no header line',
        help: direction === 'read' ? "remove the header lines from the files (or set 'csv.header' = 'false' if there are none) before running the script on Flink" : 'readers of the output must not expect a header line',
      });
    }
  }
  if (options['format.ignore-parse-errors'] === 'true') result.push([`${format}.ignore-parse-errors`, 'true']);
  return result;
}

/** Flink's filesystem connector: files and directories, json or csv, continuous when it monitors the path. */
function fileSourceOptions(op: Operator, options: Options, ctx: ExportContext): [string, string][] {
  const result: [string, string][] = [['connector', 'filesystem'], ['path', options['path'] ?? ''], ...formatOptions(op, options, ctx, 'read')];
  if (options['mode'] === 'continuous') result.push(['source.monitor-interval', formatDuration(Number(options['source.monitor-interval']))]);
  return result;
}

/**
 * Flink's datagen connector takes the same per-column options, except for TIMESTAMP columns, which it fills
 * with random times up to `max-past` before now: Sluice's fixed range cannot be written for Flink.
 */
function datagenOptions(op: Operator, options: Options, ctx: ExportContext): [string, string][] {
  const result: [string, string][] = [['connector', 'datagen']];
  for (const key of ['number-of-rows', 'rows-per-second']) {
    if (options[key] !== undefined && !(key === 'rows-per-second' && Number(options[key]) === 0)) result.push([key, options[key]]);
  }
  for (const field of op.output.fields) {
    const prefix = `fields.${field.name}.`;
    const kind = options[`${prefix}kind`];
    if (field.type.name === 'TIMESTAMP') {
      if (kind === 'random') {
        ctx.report(op, Diagnostics.FlinkRewrite, {
          what: `datagen column '${field.name}'`,
          difference: `Flink's datagen makes random TIMESTAMPs up to 'max-past' before the current time, not between '${prefix}min' and '${prefix}max'`,
          help: `windows and watermarks will see times around now; set '${prefix}max-past' in the script if a range matters`,
        });
      }
      continue;
    }
    if (kind === 'sequence') result.push([`${prefix}kind`, 'sequence']);
    const suffixes = kind === 'sequence' ? ['start', 'end'] : ['min', 'max', 'length'];
    for (const suffix of suffixes) {
      const value = options[`${prefix}${suffix}`];
      if (value !== undefined) result.push([`${prefix}${suffix}`, value]);
    }
    const nullRate = options[`${prefix}null-rate`];
    if (nullRate !== undefined && Number(nullRate) > 0) result.push([`${prefix}null-rate`, nullRate]);
  }
  return result;
}

/** `date_time` → `dateTime`: the Nexmark project's Flink tables name columns in camelCase. */
function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const NEXMARK_EVENT_TYPE: Readonly<Record<NexmarkTable, number>> = { person: 0, auction: 1, bid: 2 };
const NEXMARK_TIME = flinkIdentifier('dateTime');

function nexmarkRow(table: NexmarkTable): string {
  return `${table} ROW<${NEXMARK_TABLES[table].map((f) => `${flinkIdentifier(camelCase(f.name))} ${typeToString(f.type)}`).join(', ')}>`;
}

/**
 * The Nexmark sources of a job, translated as the Nexmark project runs its queries on Flink: one `nexmark`
 * table of events (a row per event with `person`, `auction` and `bid` columns and one event time) and a view
 * per Sluice source selecting its table's events. Sources with the same generator options and watermark share
 * a table.
 */
export class NexmarkTables {
  private readonly tables = new Map<string, string>();
  readonly statements: string[] = [];

  /** The CREATE VIEW for a nexmark source, after the CREATE TABLE of its events when it is the first of them. */
  add(op: Operator, spec: SourceSpec, ctx: ExportContext): { statements: string[]; relation: Relation } {
    const table = spec.options['table'] as NexmarkTable;
    const fields = op.output.fields;
    // The source's columns inside the events table, for the watermark expression.
    const nested = fields.map((f, i) => (i === spec.watermark?.column ? NEXMARK_TIME : `${table}.${flinkIdentifier(camelCase(f.name))}`));
    const watermark = spec.watermark === undefined ? undefined : renderExprIn(FLINK_DIALECT, spec.watermark.expr, nested);
    const options = this.options(op, spec.options, ctx);
    const key = JSON.stringify([options, watermark]);
    const statements: string[] = [];
    let tableName = this.tables.get(key);
    if (tableName === undefined) {
      tableName = this.tables.size === 0 ? 'nexmark' : `nexmark_${this.tables.size + 1}`;
      this.tables.set(key, tableName);
      const lines = [
        'event_type INT',
        ...(['person', 'auction', 'bid'] as const).map(nexmarkRow),
        `${NEXMARK_TIME} AS CASE WHEN event_type = 0 THEN person.${NEXMARK_TIME} WHEN event_type = 1 THEN auction.${NEXMARK_TIME} ELSE bid.${NEXMARK_TIME} END`,
        ...(watermark === undefined ? [] : [`WATERMARK FOR ${NEXMARK_TIME} AS ${watermark}`]),
      ];
      statements.push(createTable(tableName, lines, options));
    }
    const name = declaredName(op);
    const columns = fields.map((f) => flinkIdentifier(f.name));
    const select = fields.map((f, i) => {
      const from = f.name === 'date_time' ? NEXMARK_TIME : `${table}.${flinkIdentifier(camelCase(f.name))}`;
      return `${from} AS ${columns[i]}`;
    });
    statements.push(
      `CREATE TEMPORARY VIEW ${flinkIdentifier(name)} AS\nSELECT ${select.join(', ')}\nFROM ${tableName}\nWHERE event_type = ${NEXMARK_EVENT_TYPE[table]};`,
    );
    return { statements, relation: { name: flinkIdentifier(name), columns } };
  }

  private options(op: Operator, options: Options, ctx: ExportContext): [string, string][] {
    const result: [string, string][] = [['connector', 'nexmark']];
    const rate = options['rate'] ?? '10000';
    result.push(['first-event.rate', rate], ['next-event.rate', rate]);
    if (options['events'] !== undefined) result.push(['events.num', options['events']]);
    if (options['first-event'] !== undefined && options['first-event'] !== '0') {
      ctx.report(op, Diagnostics.FlinkRewrite, {
        what: `'first-event' = '${options['first-event']}'`,
        difference: "Flink's nexmark connector always starts at the first event",
        help: 'the Flink job reads the events from the beginning',
      });
    }
    if (options['rows-per-second'] !== undefined && Number(options['rows-per-second']) > 0) {
      ctx.report(op, Diagnostics.FlinkRewrite, {
        what: `'rows-per-second' = '${options['rows-per-second']}'`,
        difference: "Flink's nexmark connector paces events by 'first-event.rate' and 'next-event.rate' only",
        help: 'the Flink job generates events at its event rate',
      });
    }
    return result;
  }
}

/**
 * Watermark alignment is not written to Flink: Flink applies its `scan.watermark.alignment.*` options only to
 * sources that take watermarks pushed down (Kafka, for one), and none of the connectors exported here does; the
 * Nexmark sources become one Flink source, whose tables are generated interleaved in event time.
 */
function reportAlignmentNotExported(op: Operator, spec: SourceSpec, ctx: ExportContext): void {
  const group = spec.options[ALIGNMENT_GROUP];
  if (group === undefined) return;
  ctx.report(op, Diagnostics.FlinkRewrite, {
    what: `'${ALIGNMENT_GROUP}' = '${group}'`,
    difference:
      spec.connector === 'nexmark'
        ? "Flink's nexmark connector generates every table from one source, in event-time order, so there is nothing to align"
        : `Flink aligns watermarks only for sources that take them pushed down, which its ${spec.connector === 'file' ? 'filesystem' : spec.connector} connector does not`,
    help: 'the exported script leaves the alignment options out; the Flink job reads without pausing',
  });
}

/**
 * A source's PRIMARY KEY is not written: Sluice's joins use it to keep fewer rows (a side unique by its key), which
 * Flink's regular join does not do, and Flink's nexmark tables are views of one source, which cannot declare one.
 */
function reportPrimaryKeyNotExported(op: Operator, spec: SourceSpec, ctx: ExportContext): void {
  if (spec.primaryKey === undefined) return;
  ctx.report(op, Diagnostics.FlinkRewrite, {
    what: `PRIMARY KEY (${spec.primaryKey.join(', ')}) NOT ENFORCED`,
    difference: "a regular join in Sluice keeps the other side's rows only until this source's row of their key arrives; Flink's keeps them all",
    help: 'the exported script leaves the key out; on Flink such a join keeps every row of both sides (give it a state TTL there)',
  });
}

/** CREATE TABLE (and for Nexmark, CREATE VIEW) statements for a source, and the relation that reads it. */
export function sourceStatements(op: Operator, spec: SourceSpec, nexmark: NexmarkTables, ctx: ExportContext): { statements: string[]; relation: Relation } {
  reportAlignmentNotExported(op, spec, ctx);
  reportPrimaryKeyNotExported(op, spec, ctx);
  if (spec.connector === 'nexmark') return nexmark.add(op, spec, ctx);
  const name = declaredName(op);
  const fields = op.output.fields;
  const columns = fields.map((f) => flinkIdentifier(f.name));
  const lines: string[] = fields.map((f) => flinkColumn(f));
  if (spec.watermark !== undefined) {
    lines.push(`WATERMARK FOR ${columns[spec.watermark.column]} AS ${renderExprIn(FLINK_DIALECT, spec.watermark.expr, columns)}`);
  }
  const translate = SOURCE_OPTIONS[spec.connector];
  if (translate === undefined) reportNoConnectorTranslation(op, 'source', spec.connector, ctx);
  const options = translate?.(op, spec.options, ctx) ?? [['connector', spec.connector]];
  return { statements: [createTable(name, lines, options)], relation: { name: flinkIdentifier(name), columns } };
}

/** Flink's filesystem sink: part files committed on checkpoints, always exactly once. */
function fileSinkOptions(op: Operator, options: Options, ctx: ExportContext): [string, string][] {
  const result: [string, string][] = [['connector', 'filesystem'], ['path', options['path'] ?? ''], ...formatOptions(op, options, ctx, 'write')];
  const size = options['sink.rolling-policy.file-size'];
  if (size !== undefined) result.push(['sink.rolling-policy.file-size', `${size}b`]);
  const interval = options['sink.rolling-policy.rollover-interval'];
  if (interval !== undefined) result.push(['sink.rolling-policy.rollover-interval', formatDuration(Number(interval))]);
  return result;
}

type OptionsTranslation = (op: Operator, options: Options, ctx: ExportContext) => [string, string][];

/** Flink's options for each source connector that has a Flink counterpart (Nexmark: NexmarkTables). */
const SOURCE_OPTIONS: Readonly<Partial<Record<string, OptionsTranslation>>> = {
  file: fileSourceOptions,
  datagen: datagenOptions,
};

/** A connector with no translation here (yet): an error naming it, so the exported script is not taken as complete. */
function reportNoConnectorTranslation(op: Operator, role: 'source' | 'sink', connector: string, ctx: ExportContext): void {
  ctx.report(op, Diagnostics.NoFlinkTranslation, { what: `the '${connector}' ${role} connector`, why: 'the Flink SQL export does not translate its options yet' });
}

const SINK_OPTIONS: Readonly<Partial<Record<string, OptionsTranslation>>> = {
  file: fileSinkOptions,
  print: (_op, options) => [
    ['connector', 'print'],
    ...(options['print-identifier'] === undefined ? [] : [['print-identifier', options['print-identifier']] as [string, string]]),
    ...(options['standard-error'] === 'true' ? [['standard-error', 'true'] as [string, string]] : []),
  ],
  blackhole: () => [['connector', 'blackhole']],
};

/** The CREATE TABLE of a sink, with the columns of what is inserted into it. */
export function sinkTable(op: Operator, spec: SinkSpec, columns: readonly string[], ctx: ExportContext): string {
  if (spec.connector === 'file' && op.inputs[0]!.changelog === 'upsert') {
    ctx.report(op, Diagnostics.NoFlinkTranslation, {
      what: 'an updating stream into a file sink',
      why: "Flink's filesystem sink takes insert-only rows, and this sink is fed the updates of a continuous aggregate or DEDUPLICATE KEEP LAST: window the aggregate, keep the first row, or use another sink",
    });
  }
  const lines = op.inputs[0]!.fields.map((f, i) => flinkColumn(f, columns[i]));
  const translate = SINK_OPTIONS[spec.connector];
  if (translate === undefined) reportNoConnectorTranslation(op, 'sink', spec.connector, ctx);
  return createTable(declaredName(op), lines, translate?.(op, spec.options, ctx) ?? [['connector', spec.connector]]);
}
