import type { Client } from 'pg';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { CdcSettings } from './cdc-settings.js';
import { parseLsn } from './lsn.js';

/** A replication slot as pg_replication_slots shows it. */
export interface SlotState {
  readonly active: boolean;
  readonly pid: number | null;
  /** confirmed_flush_lsn: where streaming resumes. */
  readonly confirmed: bigint;
  readonly database: string;
  readonly plugin: string;
}

export async function slotState(client: Client, slot: string): Promise<SlotState | undefined> {
  const result = await client.query<{ active: boolean; active_pid: number | null; confirmed_flush_lsn: string | null; restart_lsn: string | null; database: string; plugin: string }>(
    'SELECT active, active_pid, confirmed_flush_lsn::text, restart_lsn::text, database, plugin FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  const confirmed = row.confirmed_flush_lsn ?? row.restart_lsn;
  return { active: row.active, pid: row.active_pid, confirmed: confirmed === null ? 0n : parseLsn(confirmed), database: row.database, plugin: row.plugin };
}

/**
 * How long a slot may stay in use before another reader is refused: the walsender of a reader that just died
 * (a restart after a failure, a process killed) needs a moment to notice and let go.
 */
const RELEASE_WAIT_MS = 10_000;

/** Returns once the slot is not in use (or gone); SLC9204 when another connection keeps it. */
export async function waitUntilSlotFree(client: Client, settings: CdcSettings, waitMs = RELEASE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const slot = await slotState(client, settings.slot);
    if (slot === undefined || !slot.active) return;
    if (Date.now() >= deadline) {
      throw new DiagnosticError(Diagnostics.PostgresCdcSlotActive, { role: settings.role, slot: settings.slot, url: settings.shownUrl, pid: String(slot.pid ?? '?') });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
