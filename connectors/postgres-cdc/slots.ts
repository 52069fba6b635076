import type { Client } from 'pg';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { CdcSettings } from './cdc-settings.js';
import { parseLsn } from './lsn.js';

/** A replication slot as pg_replication_slots shows it. */
export interface SlotState {
  /** confirmed_flush_lsn: where streaming resumes. */
  readonly confirmed: bigint;
  readonly database: string;
  readonly plugin: string;
}

export async function slotState(client: Client, slot: string): Promise<SlotState | undefined> {
  const result = await client.query<{ confirmed_flush_lsn: string | null; restart_lsn: string | null; database: string; plugin: string }>(
    'SELECT confirmed_flush_lsn::text, restart_lsn::text, database, plugin FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  const confirmed = row.confirmed_flush_lsn ?? row.restart_lsn;
  return { confirmed: confirmed === null ? 0n : parseLsn(confirmed), database: row.database, plugin: row.plugin };
}

/**
 * How long a slot may stay in use before another reader is refused: the walsender of a reader that just died
 * (a restart after a failure, a process killed) needs a moment to notice and let go.
 */
const RELEASE_WAIT_MS = 10_000;

/** The advisory-lock class of slot leases ('SLC'), apart from an application's own one-key locks. */
const LEASE_CLASS = 0x534c43;

/**
 * Returns once the slot is not in use (or gone); SLC9204 when another connection keeps it. In use means a
 * walsender streams it, or another reader holds its lease. With `lease`, this connection takes the lease (a
 * session advisory lock keyed by the slot's name) and keeps it until it closes: a slot shows as active only while
 * it is streamed, not while its reader reads the table's snapshot or reconnects, so the lease is what tells a
 * second job, or `connector cleanup`, that the slot is taken. The server drops the lease with the connection, also
 * when the reader's process was killed.
 */
export async function waitUntilSlotFree(client: Client, settings: CdcSettings, options: { readonly waitMs?: number; readonly lease?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? RELEASE_WAIT_MS);
  let leased = false;
  for (;;) {
    if (options.lease === true && !leased) {
      const taken = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS taken', [LEASE_CLASS, settings.slot]);
      leased = taken.rows[0]!.taken;
    }
    const holder = await client.query<{ streaming: number | null; leasing: number | null }>(
      `SELECT (SELECT active_pid FROM pg_replication_slots WHERE slot_name = $2 AND active) AS streaming,
              (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = hashtext($2)::oid
                 AND objsubid = 2 AND granted AND pid <> pg_backend_pid() LIMIT 1) AS leasing`,
      [LEASE_CLASS, settings.slot],
    );
    const { streaming, leasing } = holder.rows[0]!;
    if (streaming === null && leasing === null) return;
    if (Date.now() >= deadline) {
      throw new DiagnosticError(Diagnostics.PostgresCdcSlotActive, { role: settings.role, slot: settings.slot, url: settings.shownUrl, pid: String(streaming ?? leasing) });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
