import type { Client } from 'pg';
import { PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { clientConfig } from '../postgres/connection.js';
import type { CdcSettings } from './cdc-settings.js';
import { formatLsn, parseLsn, readLsn } from './lsn.js';
import { quoteIdent } from './table-setup.js';

/**
 * A replication connection (`replication=database`) to the server: creates and drops the slot, and streams it
 * with the pgoutput plugin. pg-logical-replication decodes pgoutput's messages; the CopyBoth stream itself is
 * handled here because the source needs two things its service does not give: the confirmed (flush) position must
 * advance only when a checkpoint completes — the service acknowledges what it received — and the socket must pause
 * while the reader's buffer is full.
 *
 * Standby status updates report `write` = the last LSN received and `flush` = the last position confirmed
 * (`confirm`), every STATUS_INTERVAL_MS and whenever the server asks, so the walsender never times out and the
 * slot's confirmed_flush_lsn is exactly the last completed checkpoint's position.
 */
export interface ReplicationHandlers {
  /** A decoded pgoutput message; `lsn` is the WAL position of the record it came from. */
  message(message: Pgoutput.Message, lsn: bigint): void;
  /** A keepalive: the server has sent everything up to `walEnd`. */
  keepalive(walEnd: bigint): void;
}

const STATUS_INTERVAL_MS = 10_000;
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n;

export class ReplicationConnection {
  private failure: DiagnosticError | undefined;
  private received = 0n;
  private confirmed = 0n;
  private timer: NodeJS.Timeout | undefined;
  private streaming = false;

  private constructor(
    private readonly client: Client,
    private readonly settings: CdcSettings,
  ) {
    client.on('error', (error) => this.fail(error.message));
  }

  static async open(settings: CdcSettings): Promise<ReplicationConnection> {
    const { Client } = await import('pg');
    const client = new Client({ ...(await clientConfig(settings.connection, `sluice ${settings.role}`)), replication: 'database' } as never);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectFailure(error, settings);
    }
    return new ReplicationConnection(client, settings);
  }

  /** Creates the slot; with `exportSnapshot` also the name of a snapshot of the database at its start, valid until this connection's next command. */
  async createSlot(exportSnapshot: boolean): Promise<{ readonly start: bigint; readonly snapshot: string | undefined }> {
    const result = await this.client.query<{ consistent_point: string; snapshot_name: string | null }>(
      `CREATE_REPLICATION_SLOT ${quoteIdent(this.settings.slot)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    );
    const row = result.rows[0]!;
    return { start: parseLsn(row.consistent_point), snapshot: row.snapshot_name ?? undefined };
  }

  async dropSlot(): Promise<void> {
    await this.client.query(`DROP_REPLICATION_SLOT ${quoteIdent(this.settings.slot)}`);
  }

  /** Streams the slot from `from` (the server starts at the slot's confirmed position if that is later). */
  stream(from: bigint, handlers: ReplicationHandlers): void {
    const { settings } = this;
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [quoteIdent(settings.publication)] });
    this.confirmed = from;
    this.received = from;
    const connection = (this.client as unknown as { connection: NodeJS.EventEmitter }).connection;
    connection.on('copyData', ({ chunk }: { chunk: Buffer }) => {
      if (this.failure !== undefined) return;
      try {
        if (chunk[0] === 0x77) {
          // XLogData: 'w', start LSN, end LSN, send time, then the pgoutput message.
          const lsn = readLsn(chunk, 1);
          if (lsn > this.received) this.received = lsn;
          handlers.message(plugin.parse(chunk.subarray(25)), lsn);
        } else if (chunk[0] === 0x6b) {
          // Primary keepalive: 'k', WAL end, send time, reply requested.
          const walEnd = readLsn(chunk, 1);
          if (walEnd > this.received) this.received = walEnd;
          handlers.keepalive(walEnd);
          if (chunk[17] === 1) this.sendStatus();
        }
      } catch (error) {
        this.failWith(error);
      }
    });
    this.streaming = true;
    this.client
      .query(`START_REPLICATION SLOT ${quoteIdent(settings.slot)} LOGICAL ${formatLsn(from)} (proto_version '1', publication_names '${quoteIdent(settings.publication)}')`)
      .then(
        () => this.streaming && this.fail('the server ended the stream'),
        (error: Error) => this.streaming && this.fail(error.message),
      );
    this.timer = setInterval(() => this.sendStatus(), STATUS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Lets the slot's confirmed position advance to `lsn`: WAL before it is no longer kept for this slot. */
  confirm(lsn: bigint): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus();
  }

  pause(): void {
    this.socket()?.pause();
  }

  resume(): void {
    this.socket()?.resume();
  }

  /** Why the stream broke, if it did. */
  failed(): DiagnosticError | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    this.streaming = false;
    clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }

  private socket(): NodeJS.ReadableStream | undefined {
    return (this.client as unknown as { connection?: { stream?: NodeJS.ReadableStream } }).connection?.stream;
  }

  private sendStatus(): void {
    if (!this.streaming || this.failure !== undefined) return;
    const message = Buffer.alloc(34);
    message[0] = 0x72; // 'r'
    message.writeBigUInt64BE(this.received, 1);
    message.writeBigUInt64BE(this.confirmed, 9);
    message.writeBigUInt64BE(this.confirmed, 17);
    message.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
    message[33] = 0;
    (this.client as unknown as { connection: { sendCopyFromChunk(chunk: Buffer): void } }).connection.sendCopyFromChunk(message);
  }

  /** Fails the stream with `error` (a DiagnosticError as it is): the reader throws it at its next read. */
  failWith(error: unknown): void {
    if (error instanceof DiagnosticError) this.failure ??= error;
    else this.fail(error instanceof Error ? error.message : String(error));
  }

  private fail(reason: string): void {
    this.failure ??= new DiagnosticError(Diagnostics.PostgresCdcStreamFailed, {
      role: this.settings.role,
      slot: this.settings.slot,
      url: this.settings.shownUrl,
      reason: hidePassword(reason, this.settings),
    });
  }
}

/** A refused replication connection: no REPLICATION privilege or no pg_hba.conf line for replication (SLC9203), else SLC9190. */
function connectFailure(error: unknown, settings: CdcSettings): DiagnosticError {
  const code = (error as { code?: unknown }).code;
  const reason = hidePassword(error instanceof Error && error.message !== '' ? error.message : String(error), settings);
  const { role, shownUrl: url } = settings;
  const user = settings.connection.user;
  if (code === '42501' || code === '28000') {
    return new DiagnosticError(Diagnostics.PostgresCdcReplicationDenied, {
      role,
      url,
      user,
      action: 'open a replication connection',
      reason,
      fix:
        code === '42501'
          ? `run ALTER ROLE ${user} REPLICATION as a superuser`
          : `allow it in pg_hba.conf (a line 'host replication ${user} <address> <method>'), then reload PostgreSQL`,
    });
  }
  return new DiagnosticError(Diagnostics.PostgresUnreachable, { role, url, reason });
}

function hidePassword(text: string, settings: CdcSettings): string {
  const { password } = settings.connection;
  return password === undefined || password === '' ? text : text.split(password).join('<redacted>');
}
