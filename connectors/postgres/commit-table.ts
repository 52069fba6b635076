import type { Client } from 'pg';
import { siblingTable, type TableName } from './table-name.js';

/**
 * The exactly-once postgres sink's commit records: one row per checkpoint a sink subtask committed, written in the
 * same transaction as the checkpoint's rows. A committable whose row exists was applied; inserting the row first
 * (ON CONFLICT DO NOTHING) both tests that and, holding the row's lock until the transaction ends, keeps two
 * attempts from applying it at once.
 *
 * One row per checkpoint rather than one per subtask holding the newest: after a rescale the committables a subtask
 * staged are dealt round robin to the new subtasks (operator state 'split'), so checkpoint 6's may be committed
 * before checkpoint 5's — a "newest committed" mark would then make 5 look applied. The rows are small and stay:
 * which of them a future restore might still need depends on the checkpoints retained, which the sink cannot see.
 */
export const COMMIT_TABLE = 'sluice_sink_commits';

export function commitTableOf(table: TableName): TableName {
  return siblingTable(table, COMMIT_TABLE);
}

export function createCommitTableSql(commitTable: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${commitTable.sql} (
    job_lineage text NOT NULL,
    sink_uid text NOT NULL,
    subtask integer NOT NULL,
    run text NOT NULL,
    checkpoint_id bigint NOT NULL,
    target_table text NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_lineage, sink_uid, subtask, run, checkpoint_id)
  )`;
}

/** Records the commit of `staged`; false when it was recorded before (its rows are in the table already). */
export async function recordCommit(
  client: Client,
  commitTable: TableName,
  sinkUid: string,
  staged: { readonly lineage: string; readonly subtask: number; readonly run: string; readonly checkpointId: number },
  target: TableName,
): Promise<boolean> {
  const result = await client.query(
    `INSERT INTO ${commitTable.sql} (job_lineage, sink_uid, subtask, run, checkpoint_id, target_table) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [staged.lineage, sinkUid, staged.subtask, staged.run, staged.checkpointId, target.shown],
  );
  return result.rowCount === 1;
}
