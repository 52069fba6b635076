import type { Pgoutput } from 'pg-logical-replication';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { ValueProblem } from '../../runtime/connectors/formats/row-error.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { ReadResult, SourceConnector, SourceContext, SplitDescriptor, SplitPosition, SplitReader } from '../../runtime/connectors/source-connector.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { RowKind } from '../../runtime/record-batch.js';
import { connectPostgres, type PostgresConnection } from '../postgres/connection.js';
import { cdcSettings, type CdcSettings } from './cdc-settings.js';
import { formatLsn, parseLsn } from './lsn.js';
import { ReplicationConnection } from './replication-connection.js';
import { slotState, waitUntilSlotFree } from './slots.js';
import { quoteIdent } from './table-setup.js';
import { pgTextDecoder, type TextDecoder } from './text-values.js';

/**
 * The `postgres-cdc` source: one split, the replication slot, read by subtask 0 (at a higher parallelism the
 * other subtasks idle: one slot is one ordered stream).
 *
 * First start ('initial'): the slot is created with an exported snapshot; the table is read in that snapshot (a
 * REPEATABLE READ transaction, through a cursor) and handed out as inserts; then the slot is streamed from its
 * start, which is exactly where the snapshot stands. 'latest-offset' creates the slot and streams it only.
 *
 * Position (checkpointed at every barrier): `{ phase: 'start' }` before the first read (a restore starts afresh),
 * during the snapshot `{ phase: 'snapshot' }`; afterwards the end
 * LSN of the last transaction handed out completely, and for a transaction handed out in part its commit LSN and
 * how many of its changes. A restored reader streams the slot from there and skips what it had handed out already
 * (the server resends from the slot's confirmed position, which may be older: it advances only when a checkpoint
 * completes, notifyCheckpointComplete). So each change is emitted once, from the checkpoint's point of view.
 *
 * A crash during the snapshot restarts the snapshot: the restored reader keeps the slot (its confirmed position
 * is still its start, nothing was confirmed during the snapshot), reads the whole table again in a new
 * transaction — newer than the slot's start — and then streams the slot from its start. Rows emitted before the
 * crash and recorded in the checkpoint are emitted again as inserts, and changes the new snapshot already
 * contains are replayed after it; every one is keyed by the primary key and the last change per key wins, so
 * keyed consumers (the ChangelogNormalize, continuous aggregates, upsert sinks) end up exactly right.
 *
 * Streamed changes are buffered (parallel arrays, no object per change) and handed out in batches; the socket is
 * paused while the buffer holds more than BUFFER_HIGH rows.
 */
export interface CdcSplit extends SplitDescriptor {
  readonly slot: string;
}

export type CdcPosition = SplitPosition &
  (
    | { readonly phase: 'start' | 'snapshot' }
    | { readonly phase: 'stream'; readonly lsn: string; readonly tx?: string; readonly txChanges?: number }
  );

const BUFFER_HIGH = 50_000;
const BUFFER_LOW = 10_000;
const POLL_MS = 10;
/** Buffer entries that are not rows: a transaction's end (or an idle server's position), where the position may advance. */
const COMMIT = 255;
const SNAPSHOT_CURSOR = 'sluice_snapshot';

export function createPostgresCdcSource(options: ConnectorOptions, schema: StreamSchema, context: SourceContext): SourceConnector {
  const settings = cdcSettings(options, schema);
  return {
    bounded: false,
    enumerateSplits: () => Promise.resolve([{ id: settings.slot, slot: settings.slot } satisfies CdcSplit]),
    createReader: (split, position) => new PostgresCdcReader(split, settings, context, position as CdcPosition | undefined),
  };
}

export class PostgresCdcReader implements SplitReader {
  readonly splitId: string;
  readonly skippedRows = 0;
  private phase: 'snapshot' | 'stream' | undefined;
  /** End of the last transaction handed out completely (the slot's start before any). */
  private lsn = 0n;
  /** The transaction handed out in part: its commit LSN and how many of its changes. */
  private tx: bigint | undefined;
  private txChanges = 0;
  /** Restore: transactions committed before `skipBefore` were handed out, and the first `skipChanges` of `skipTx`. */
  private readonly skipBefore: bigint = 0n;
  private readonly skipTx: bigint | undefined;
  private readonly skipChanges: number = 0;
  /** The position of the last completed checkpoint, confirmed to the server once streaming. */
  private confirmed = 0n;
  /** Holds the slot's lease (slots.ts) from the start to close. */
  private lease: PostgresConnection | undefined;
  private snapshot: PostgresConnection | undefined;
  private replication: ReplicationConnection | undefined;
  private readonly decoders: readonly TextDecoder[];
  private readonly keyIndexes: readonly number[];

  // The buffer of received changes, `head` the first not handed out. Per entry: the row (undefined for COMMIT
  // entries), its kind (or COMMIT), the commit LSN of its transaction (for COMMIT: the position after it) and
  // its change number within the transaction (the -D/+I of a key change share one).
  private rows: (unknown[] | undefined)[] = [];
  private kinds: number[] = [];
  private txs: bigint[] = [];
  private changes: number[] = [];
  private head = 0;
  private paused = false;

  // Receiving: the table's relation (columns by position → field index), the open transaction and whether it is skipped.
  private relationId: number | undefined;
  private receivingTx: bigint | undefined;
  private receivedChanges = 0;
  private skipping = false;
  /** Highest position received that is a transaction's end, for idle keepalives. */
  private receivedEnd = 0n;

  constructor(
    split: SplitDescriptor,
    private readonly settings: CdcSettings,
    private readonly context: SourceContext,
    private readonly restored: CdcPosition | undefined,
  ) {
    this.splitId = split.id;
    this.decoders = settings.fields.map(pgTextDecoder);
    this.keyIndexes = settings.primaryKey.map((k) => settings.fields.findIndex((f) => f.name === k));
    if (restored?.phase === 'stream') {
      this.lsn = this.skipBefore = this.confirmed = parseLsn(restored.lsn);
      this.skipTx = restored.tx === undefined ? undefined : parseLsn(restored.tx);
      this.skipChanges = restored.txChanges ?? 0;
      this.tx = this.skipTx;
      this.txChanges = this.skipChanges;
    }
  }

  async read(maxRows: number): Promise<ReadResult> {
    if (this.phase === undefined) await this.open();
    if (this.phase === 'snapshot') return this.readSnapshot(maxRows);
    return this.readSync(maxRows)!;
  }

  readSync(maxRows: number): ReadResult | undefined {
    if (this.phase !== 'stream') return undefined;
    const failure = this.replication!.failed();
    if (failure !== undefined) throw failure;
    const out: unknown[][] = [];
    const outKinds = new Uint8Array(Math.min(maxRows + 1, this.rows.length - this.head));
    let i = this.head;
    const end = this.rows.length;
    for (; i < end; i++) {
      const kind = this.kinds[i]!;
      if (kind === COMMIT) {
        this.lsn = this.txs[i]!;
        this.tx = undefined;
        this.txChanges = 0;
        continue;
      }
      // Both rows of one change (a key change's -D and +I) go out together: a position never splits them.
      if (out.length >= maxRows && !(this.txs[i] === this.tx && this.changes[i] === this.txChanges)) break;
      outKinds[out.length] = kind;
      out.push(this.rows[i]!);
      this.tx = this.txs[i]!;
      this.txChanges = this.changes[i]!;
    }
    this.head = i;
    if (this.head === this.rows.length) {
      this.rows = [];
      this.kinds = [];
      this.txs = [];
      this.changes = [];
      this.head = 0;
    }
    if (this.paused && this.rows.length - this.head < BUFFER_LOW) {
      this.paused = false;
      this.replication!.resume();
    }
    if (out.length === 0) return { rows: out, status: 'idle', retryAfterMs: POLL_MS };
    return { rows: out, kinds: outKinds.subarray(0, out.length), status: 'more' };
  }

  position(): CdcPosition {
    if (this.phase === undefined) return this.restored ?? { phase: 'start' };
    if (this.phase === 'snapshot') return { phase: 'snapshot' };
    const lsn = formatLsn(this.lsn);
    return this.tx === undefined ? { phase: 'stream', lsn } : { phase: 'stream', lsn, tx: formatLsn(this.tx), txChanges: this.txChanges };
  }

  notifyCheckpointComplete(position: SplitPosition): void {
    const recorded = position as CdcPosition;
    if (recorded.phase !== 'stream') return;
    const lsn = parseLsn(recorded.lsn);
    if (lsn > this.confirmed) this.confirmed = lsn;
    this.replication?.confirm(this.confirmed);
  }

  async close(): Promise<void> {
    const { snapshot, replication, lease } = this;
    this.snapshot = undefined;
    this.replication = undefined;
    this.lease = undefined;
    await snapshot?.close();
    await replication?.close();
    await lease?.close();
  }

  /**
   * Takes the slot's lease (kept until close), then creates the slot (first start) or finds it (restore), and
   * starts the snapshot or the stream.
   */
  private async open(): Promise<void> {
    const { settings } = this;
    // Said at every start, as a job warning (printed by `sluice run`): a slot outlives the job and holds WAL.
    this.context.warn?.(
      `holds replication slot '${settings.slot}' at ${settings.shownUrl}: the server keeps its WAL until the job reads it; when the job is retired, drop it with \`sluice connector cleanup <job.pipe>\``,
    );
    this.lease = await connectPostgres(settings.connection, settings.role);
    await waitUntilSlotFree(this.lease.client, settings, { lease: true });
    const slot = await slotState(this.lease.client, settings.slot);
    if (this.restored === undefined || this.restored.phase === 'start') {
      if (slot !== undefined) {
        // A fresh start begins a new line of checkpoints: the old run's slot position means nothing to it.
        this.context.warn?.(`${settings.role}: replication slot '${settings.slot}' exists from an earlier run; it is dropped and created anew (a job started without --resume reads the table from its start)`);
        const dropper = await ReplicationConnection.open(settings);
        await dropper.dropSlot().finally(() => dropper.close());
      }
      await this.createSlotAndBegin();
      return;
    }
    if (slot === undefined) {
      const lsn = this.restored.phase === 'stream' ? this.restored.lsn : "the slot's start";
      throw new DiagnosticError(Diagnostics.PostgresCdcSlotMissing, { role: settings.role, slot: settings.slot, url: settings.shownUrl, lsn });
    }
    if (this.restored.phase === 'snapshot') {
      this.lsn = this.confirmed = slot.confirmed;
      await this.beginSnapshot(undefined);
    } else {
      await this.beginStream();
    }
  }

  private async createSlotAndBegin(): Promise<void> {
    const replication = await ReplicationConnection.open(this.settings);
    try {
      const { start, snapshot } = await replication.createSlot(this.settings.startup === 'initial');
      this.lsn = this.confirmed = start;
      // The exported snapshot lives until the replication connection's next command: import it first.
      if (snapshot !== undefined) await this.beginSnapshot(snapshot);
    } finally {
      await replication.close();
    }
    if (this.phase === undefined) await this.beginStream();
  }

  /** Opens a REPEATABLE READ transaction (in `exported`, the slot's snapshot, when given) and a cursor over the table. */
  private async beginSnapshot(exported: string | undefined): Promise<void> {
    const { settings } = this;
    const connection = await connectPostgres(settings.connection, settings.role);
    this.snapshot = connection;
    await connection.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (exported !== undefined) await connection.client.query(`SET TRANSACTION SNAPSHOT '${exported}'`);
    const columns = settings.fields.map((f) => `${quoteIdent(f.name)}::text`).join(', ');
    await connection.client.query(`DECLARE ${SNAPSHOT_CURSOR} NO SCROLL CURSOR FOR SELECT ${columns} FROM ${settings.quotedTable}`);
    this.phase = 'snapshot';
  }

  private async readSnapshot(maxRows: number): Promise<ReadResult> {
    const connection = this.snapshot!;
    const result = await connection.client.query<(string | null)[]>({
      text: `FETCH ${Math.min(maxRows, this.settings.fetchSize)} FROM ${SNAPSHOT_CURSOR}`,
      rowMode: 'array',
    });
    const rows = result.rows.map((values) => this.decodeRow((j) => values[j] ?? null));
    if (rows.length === 0) {
      await connection.client.query('COMMIT');
      await connection.close();
      this.snapshot = undefined;
      await this.beginStream();
    }
    return { rows, status: 'more' };
  }

  private async beginStream(): Promise<void> {
    const replication = await ReplicationConnection.open(this.settings);
    this.replication = replication;
    this.receivedEnd = this.lsn;
    replication.stream(this.lsn, { message: (message) => this.receive(message), keepalive: (walEnd) => this.idleAt(walEnd) });
    replication.confirm(this.confirmed);
    this.phase = 'stream';
  }

  /** A pgoutput message, in the client's callback: buffered as rows, or a transaction's bounds. */
  private receive(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'relation':
        if (message.schema === this.settings.schema && message.name === this.settings.tableName) this.takeRelation(message);
        return;
      case 'begin':
        this.receivingTx = parseLsn(message.commitLsn!);
        this.receivedChanges = 0;
        this.skipping = this.receivingTx < this.skipBefore;
        return;
      case 'commit': {
        const end = parseLsn(message.commitEndLsn!);
        this.receivingTx = undefined;
        if (this.skipping) return;
        this.receivedEnd = end;
        this.push(undefined, COMMIT, end, 0);
        return;
      }
      case 'insert':
      case 'update':
      case 'delete':
        if (message.relation.relationOid !== this.relationId) return;
        this.receivedChanges++;
        if (this.skipping || (this.receivingTx === this.skipTx && this.receivedChanges <= this.skipChanges)) return;
        this.takeChange(message);
        return;
      case 'truncate':
        if (message.relations.some((r) => r.relationOid === this.relationId)) {
          this.context.warn?.(`${this.settings.role}: table ${this.settings.table} was truncated; TRUNCATE is not captured (no row-level deletes are logged for it): the rows it removed stay in the job's results`);
        }
        return;
      default:
        return;
    }
  }

  private takeRelation(relation: Pgoutput.MessageRelation): void {
    this.relationId = relation.relationOid;
    // Values as PostgreSQL's text, decoded by the declared types (text-values.ts), as the snapshot reads them.
    for (const column of relation.columns) column.parser = (text: unknown) => text;
    const present = new Set(relation.columns.map((c) => c.name));
    const missing = this.settings.fields.filter((f) => !present.has(f.name));
    if (missing.length > 0) {
      this.fail(
        new DiagnosticError(Diagnostics.PostgresCdcColumnMismatch, {
          role: this.settings.role,
          url: this.settings.shownUrl,
          table: this.settings.table,
          problem: `its columns changed: ${missing.map((f) => `'${f.name}'`).join(', ')} no longer exist`,
        }),
      );
    }
  }

  private takeChange(message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete): void {
    const tx = this.receivingTx!;
    const change = this.receivedChanges;
    const full = this.settings.changelogMode === 'all';
    if (message.tag === 'insert') {
      this.push(this.rowOf(message.new), RowKind.INSERT, tx, change);
    } else if (message.tag === 'update') {
      const before = message.old ?? message.key;
      const keyChanged = before !== null && this.keyIndexes.some((k) => String(before[this.settings.fields[k]!.name]) !== String(message.new[this.settings.fields[k]!.name]));
      if (keyChanged) {
        // A changed primary key is another row: the old one goes, the new one comes.
        this.push(this.rowOf(before, !full), RowKind.DELETE, tx, change);
        this.push(this.rowOf(message.new), RowKind.INSERT, tx, change);
      } else if (full) {
        this.push(this.rowOf(this.beforeImage(message.old)), RowKind.UPDATE_BEFORE, tx, change);
        this.push(this.rowOf(message.new), RowKind.UPDATE_AFTER, tx, change);
      } else {
        this.push(this.rowOf(message.new), RowKind.UPDATE_AFTER, tx, change);
      }
    } else {
      this.push(full ? this.rowOf(this.beforeImage(message.old)) : this.rowOf(message.old ?? message.key!, true), RowKind.DELETE, tx, change);
    }
  }

  private beforeImage(old: Record<string, unknown> | null): Record<string, unknown> {
    if (old !== null) return old;
    throw new DiagnosticError(Diagnostics.PostgresCdcReplicaIdentity, { role: this.settings.role, table: this.settings.table, identity: 'other than FULL (an update came without its old row)' });
  }

  private push(row: unknown[] | undefined, kind: number, tx: bigint, change: number): void {
    this.rows.push(row);
    this.kinds.push(kind);
    this.txs.push(tx);
    this.changes.push(change);
    if (!this.paused && this.rows.length - this.head > BUFFER_HIGH) {
      this.paused = true;
      this.replication?.pause();
    }
  }

  /** Keepalive: with no transaction open and everything received handed out or buffered, the position may move to `walEnd`. */
  private idleAt(walEnd: bigint): void {
    if (this.receivingTx !== undefined || walEnd <= this.receivedEnd) return;
    this.receivedEnd = walEnd;
    this.push(undefined, COMMIT, walEnd, 0);
  }

  /** The row of a tuple (values by column name); `keyOnly`: a delete's key, the other columns NULL (the ChangelogNormalize completes it). */
  private rowOf(tuple: Record<string, unknown>, keyOnly = false): unknown[] {
    const { fields } = this.settings;
    const key = this.keyIndexes;
    return this.decodeRow((j) => {
      if (keyOnly && !key.includes(j)) return null;
      const value = tuple[fields[j]!.name];
      if (value === undefined) {
        // pgoutput leaves out a TOASTed value an update did not change, unless the old row is logged in full.
        throw new DiagnosticError(Diagnostics.PostgresCdcReplicaIdentity, {
          role: this.settings.role,
          table: this.settings.table,
          identity: `other than FULL (an update of a large value came without column '${fields[j]!.name}', which it left unchanged)`,
        });
      }
      return value as string | null;
    });
  }

  /** A row from each column's text (`at(j)`: field j's, or null), decoded by the declared types; SLC9206 for text a type cannot hold. */
  private decodeRow(at: (j: number) => string | null): unknown[] {
    const row = new Array<unknown>(this.decoders.length);
    let j = 0;
    try {
      for (; j < this.decoders.length; j++) {
        const text = at(j);
        row[j] = text === null ? null : this.decoders[j]!(text);
      }
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error;
      throw new DiagnosticError(Diagnostics.PostgresCdcColumnMismatch, {
        role: this.settings.role,
        url: this.settings.shownUrl,
        table: this.settings.table,
        problem: `column '${this.settings.fields[j]!.name}': ${error.message}`,
      });
    }
    return row;
  }

  private fail(error: DiagnosticError): void {
    this.replication?.failWith(error);
  }
}
