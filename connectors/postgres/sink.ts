import * as z from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SinkContext, SinkWriter } from '../../runtime/connectors/sink-connector.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { connectPostgres, postgresSettings, queryFailure, type PostgresConnection, type PostgresSettings } from './connection.js';
import { commitTableOf, recordCommit } from './commit-table.js';
import { StatementBuilder } from './statements.js';
import { parseTableName, type TableName } from './table-name.js';

/**
 * The `postgres` sink. `exactly-once`: rows are kept in memory and, at barrier n, handed to the runtime as one
 * committable holding them, which the checkpoint stores; when n completes they are written in one transaction
 * that also inserts the commit record of (lineage, sink uid, subtask, run, n) — a commit retried after a crash
 * finds the record and writes nothing (commit-table.ts). The committable carries the subtask and run that staged
 * it: a job restored from an older checkpoint numbers checkpoints again in a new run, and after a rescale another
 * subtask may commit it. `at-least-once`: rows are written at every flush (every sink.buffer-flush.max-rows rows,
 * every sink.buffer-flush.interval, and at each barrier), one transaction per flush.
 */
export const StagedRowsSchema = z.object({
  checkpointId: z.number().int().min(1),
  /** The job lineage, subtask and run that staged them: the commit record's key with checkpointId. */
  lineage: z.string().min(1),
  subtask: z.number().int().min(0),
  run: z.string().min(1),
  rows: z.array(z.array(z.unknown())),
  /** Row kinds of updating input (RowKind values); absent for append input. */
  kinds: z.array(z.number().int().min(0).max(3)).optional(),
});
export type StagedRows = z.infer<typeof StagedRowsSchema>;

interface SinkSettings {
  readonly connection: PostgresSettings;
  readonly table: TableName;
  readonly exactlyOnce: boolean;
  readonly maxRows: number;
  readonly intervalMs: number;
  readonly withKinds: boolean;
  readonly statements: StatementBuilder;
  readonly context: SinkContext;
}

export function createPostgresSinkWriter(options: ConnectorOptions, schema: StreamSchema, context: SinkContext): PostgresSinkWriter {
  const table = parseTableName(options.string('table-name'));
  const maxRows = options.count('sink.buffer-flush.max-rows', 5000);
  return new PostgresSinkWriter({
    connection: postgresSettings(options),
    table,
    exactlyOnce: options.oneOf('sink.semantic', ['exactly-once', 'at-least-once'], 'exactly-once') === 'exactly-once',
    maxRows,
    intervalMs: options.durationMs('sink.buffer-flush.interval', 1000),
    withKinds: schema.changelog === 'upsert',
    statements: new StatementBuilder(table, schema, context.primaryKey, maxRows),
    context,
  });
}

export class PostgresSinkWriter implements SinkWriter<StagedRows> {
  readonly committableSchema = StagedRowsSchema;
  private rows: unknown[][] = [];
  private kinds: number[] = [];
  private connection: PostgresConnection | undefined;
  /** at-least-once: the flush in progress (by the operator, max-rows or the interval), so that flushes never overlap. */
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** A failure of a flush started by max-rows or the interval timer, for the next call to throw. */
  private backgroundFailure: unknown;
  private backgroundPending = false;
  private readonly role: string;

  constructor(private readonly settings: SinkSettings) {
    this.role = `postgres sink '${settings.context.uid}'`;
  }

  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void {
    if (this.backgroundFailure !== undefined) throw this.backgroundFailure;
    for (let i = 0; i < rows.length; i++) this.rows.push(rows[i] as unknown[]);
    if (this.settings.withKinds) {
      for (let i = 0; i < rows.length; i++) this.kinds.push(kinds === undefined ? 0 : kinds[i]!);
    }
    if (this.settings.exactlyOnce) return;
    if (this.rows.length >= this.settings.maxRows) this.flushInBackground();
    else if (this.timer === undefined && this.settings.intervalMs > 0) {
      this.timer = setTimeout(() => this.flushInBackground(), this.settings.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * at-least-once, by max-rows or the interval: a flush chained after the one in progress. The operator's own
   * flushes wait for it, which is the back-pressure; its failure is thrown by the next call.
   */
  private flushInBackground(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.backgroundPending) return;
    this.backgroundPending = true;
    this.flush()
      .catch((error: unknown) => (this.backgroundFailure ??= error))
      .finally(() => (this.backgroundPending = false));
  }

  /** at-least-once writes what is buffered; exactly-once keeps it for the next barrier. */
  async flush(): Promise<void> {
    if (this.backgroundFailure !== undefined) throw this.backgroundFailure;
    if (this.settings.exactlyOnce) return;
    const next = this.flushing.then(() => this.writeBuffered());
    this.flushing = next.catch(() => undefined);
    await next;
  }

  async preCommit(checkpointId: number): Promise<StagedRows[]> {
    if (!this.settings.exactlyOnce) {
      await this.flush();
      return [];
    }
    if (this.rows.length === 0) return [];
    const { lineage, subtask, runId } = this.settings.context;
    const staged: StagedRows = { checkpointId, lineage, subtask, run: runId, rows: this.rows, ...(this.settings.withKinds ? { kinds: this.kinds } : {}) };
    this.rows = [];
    this.kinds = [];
    return [staged];
  }

  /**
   * Writes each committable not yet recorded, in checkpoint order, all in one transaction with their commit
   * records: the table shows all of them or none.
   */
  async commit(committables: readonly StagedRows[]): Promise<void> {
    if (committables.length === 0) return;
    const ordered = [...committables].sort((a, b) => a.checkpointId - b.checkpointId);
    const commitTable = commitTableOf(this.settings.table);
    await this.transaction('INSERT', async (client) => {
      for (const staged of ordered) {
        if (!(await recordCommit(client, commitTable, this.settings.context.uid, staged, this.settings.table))) continue;
        for (const statement of this.settings.statements.statements(staged.rows, staged.kinds)) await client.query(statement.text, statement.values);
      }
    });
  }

  async abort(): Promise<void> {
    this.rows = [];
    this.kinds = [];
    await this.shutdown();
  }

  async recover(committables: readonly StagedRows[]): Promise<void> {
    await this.commit(committables);
  }

  /** Without checkpoints: writes what is buffered in one transaction, and disconnects. */
  async close(): Promise<void> {
    if (this.settings.exactlyOnce) await this.writeBuffered();
    else await this.flush();
    await this.shutdown();
  }

  private async writeBuffered(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.rows.length === 0) return;
    const statements = this.settings.statements.statements(this.rows, this.settings.withKinds ? this.kinds : undefined);
    this.rows = [];
    this.kinds = [];
    await this.transaction('INSERT', async (client) => {
      for (const statement of statements) await client.query(statement.text, statement.values);
    });
  }

  /** Runs `work` in a transaction; a failure rolls it back and is reported as the error a user should see. */
  private async transaction(action: string, work: (client: PostgresConnection['client']) => Promise<void>): Promise<void> {
    const connection = await this.open();
    const { client } = connection;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const failure = this.failure(error, connection, action);
      await this.shutdown();
      throw failure;
    }
  }

  private failure(error: unknown, connection: PostgresConnection, action: string): DiagnosticError {
    const { table, connection: settings } = this.settings;
    return queryFailure(error, connection, settings, { role: this.role, table: table.shown, action }, (reason) =>
      new DiagnosticError(Diagnostics.PostgresWriteFailed, { role: this.role, table: table.shown, url: settings.shownUrl, reason }),
    );
  }

  private async open(): Promise<PostgresConnection> {
    const lost = this.connection?.lost();
    if (lost !== undefined) {
      await this.shutdown();
      throw lost;
    }
    this.connection ??= await connectPostgres(this.settings.connection, this.role);
    return this.connection;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const { connection } = this;
    this.connection = undefined;
    await connection?.close();
  }
}

