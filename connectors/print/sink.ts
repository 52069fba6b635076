import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { valueFormatter } from '../../runtime/connectors/formats/values.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { ROW_KIND_SHORT, type Committable, type SinkContext, type SinkEnvironment, type SinkWriter, type TextOutput } from '../../runtime/connectors/sink-connector.js';

/**
 * The `print` sink: one line per row in Flink's style, `<identifier>:<subtask>> +I[v1, v2, …]` (the subtask,
 * counted from 1, only when the sink runs with parallelism > 1; the prefix only when there is something in it),
 * to standard output, or standard error with `'standard-error' = 'true'`. NULL prints as `null`, timestamps as
 * ISO-8601 UTC. Nothing is transactional: rows appear when flushed.
 */
export function createPrintSinkWriter(options: ConnectorOptions, schema: StreamSchema, context: SinkContext, environment: SinkEnvironment = {}): SinkWriter {
  const identifier = options.string('print-identifier', '');
  const subtask = context.parallelism > 1 ? String(context.subtask + 1) : '';
  const label = identifier !== '' && subtask !== '' ? `${identifier}:${subtask}` : identifier + subtask;
  const prefix = label === '' ? '' : `${label}> `;
  const output = options.boolean('standard-error', false) ? (environment.stderr ?? process.stderr) : (environment.stdout ?? process.stdout);
  return new PrintSinkWriter(prefix, schema, output);
}

export class PrintSinkWriter implements SinkWriter {
  readonly flushEachBatch = true;
  private buffered = '';
  private readonly formatters: ((value: unknown) => string)[];
  private readonly kindPrefixes: string[];

  constructor(
    prefix: string,
    schema: StreamSchema,
    private readonly output: TextOutput,
  ) {
    this.formatters = schema.fields.map((f) => valueFormatter(f.type));
    this.kindPrefixes = ROW_KIND_SHORT.map((kind) => `${prefix}${kind}[`);
  }

  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void {
    const formatters = this.formatters;
    let out = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      out += this.kindPrefixes[kinds === undefined ? 0 : kinds[r]!]!;
      for (let i = 0; i < formatters.length; i++) {
        if (i > 0) out += ', ';
        const value = row[i];
        out += value === null || value === undefined ? 'null' : formatters[i]!(value);
      }
      out += ']\n';
    }
    this.buffered += out;
  }

  async flush(): Promise<void> {
    if (this.buffered === '') return;
    const text = this.buffered;
    this.buffered = '';
    if (!this.output.write(text) && this.output.once !== undefined) {
      await new Promise<void>((resolve) => this.output.once!('drain', resolve));
    }
  }

  async preCommit(): Promise<Committable[]> {
    await this.flush();
    return [];
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {
    this.buffered = '';
  }

  async recover(): Promise<void> {}

  close(): Promise<void> {
    return this.flush();
  }
}
