import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_POSTGRES, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { Job } from '../../runtime/execution/job.js';
import { RowKind } from '../../runtime/record-batch.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { createOrdersTable, useCdcTestServer } from './cdc-test-helpers.js';

/**
 * postgres-cdc → continuous revenue per customer, in process: the result folded from the aggregate's changelog
 * equals `SELECT customer, sum(amount), count(*) … GROUP BY customer` over the table after a snapshot and after
 * inserts, updates that move orders between customers, deletes and primary-key changes — with the
 * ChangelogNormalize (default replica identity) and with the server's before-images (REPLICA IDENTITY FULL).
 */
const server = useCdcTestServer('the postgres-cdc pipeline tests');

function revenuePipe(table: string, slot: string, mode: string): string {
  return `
CREATE SOURCE orders (
  id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN, updated_at TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'postgres-cdc', 'url' = '${LOCAL_POSTGRES}', 'table-name' = 'public.${table}', 'slot.name' = '${slot}',
  'changelog-mode' = '${mode}') UID 'orders-cdc';
CREATE SINK totals WITH ('connector' = 'blackhole') UID 'totals';
INSERT INTO totals FROM orders |> AGGREGATE SUM(amount) AS revenue, COUNT(*) AS orders GROUP BY customer UID 'revenue';
`;
}

/** The aggregate's changelog folded into its current rows: customer → "revenue/orders". */
function folding(): { readonly rows: Map<string, string>; readonly sink: (rows: readonly (readonly unknown[])[], info: { readonly kinds?: Uint8Array }) => void } {
  const rows = new Map<string, string>();
  return {
    rows,
    sink: (batch, { kinds }) =>
      batch.forEach((row, i) => {
        const kind = kinds?.[i] ?? RowKind.INSERT;
        if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) rows.set(String(row[0]), `${Number(row[1]).toFixed(2)}/${row[2]}`);
        else if (kind === RowKind.DELETE) rows.delete(String(row[0]));
      }),
  };
}

async function expected(table: string): Promise<Map<string, string>> {
  const result = await server.client.query<{ customer: string; revenue: string; orders: string }>(
    `SELECT customer, sum(amount)::text AS revenue, count(*)::text AS orders FROM ${table} GROUP BY customer`,
  );
  return new Map(result.rows.map((r) => [r.customer, `${Number(r.revenue).toFixed(2)}/${r.orders}`]));
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sorted = (m: Map<string, string>) => [...m.entries()].sort();

/** Inserts, customer-moving updates, deletes and key changes, several per transaction. */
async function churn(table: string, rounds: number, seed: number): Promise<void> {
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let r = 0; r < rounds; r++) {
    await server.client.query('BEGIN');
    for (let k = 0; k < 5; k++) {
      const id = 1 + next(120);
      switch (next(4)) {
        case 0:
          await server.client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, true, now()) ON CONFLICT (id) DO NOTHING`, [id, `c${next(7)}`, `${next(1000)}.${next(100)}`]);
          break;
        case 1:
          await server.client.query(`UPDATE ${table} SET customer = $2, amount = amount + 1 WHERE id = $1`, [id, `c${next(7)}`]);
          break;
        case 2:
          await server.client.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
          break;
        default:
          await server.client.query(`UPDATE ${table} SET id = id + 1000 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM ${table} WHERE id = $1 + 1000)`, [id]);
      }
    }
    await server.client.query('COMMIT');
  }
}

describe('postgres-cdc → continuous revenue per customer', () => {
  for (const mode of ['upsert', 'all']) {
    it(`equals the SQL aggregate after the snapshot and after changes ('changelog-mode' = '${mode}', parallelism 2)`, async (context) => {
      if (server.skipReason !== undefined) return context.skip();
      const table = uniqueTableName('cdc_rev');
      const slot = `${table}_slot`;
      server.slots.push(slot);
      await createOrdersTable(server.client, table);
      if (mode === 'all') await server.client.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
      await server.client.query(`INSERT INTO ${table} SELECT i, 'c' || (i % 7), i * 1.25, i % 2 = 0, now() FROM generate_series(1, 100) AS i`);
      const graph = compilePipe(revenuePipe(table, slot, mode), {
        settings: { 'pipeline.name': table, 'execution.checkpointing.interval': '200ms', 'state.checkpoints.dir': path.join(tempDir(), 'chk'), 'parallelism.default': '2' },
      });
      const fold = folding();
      const job = await Job.start(graph, { sinks: { totals: fold.sink } });
      try {
        const snapshot = await expected(table);
        await until(async () => JSON.stringify(sorted(fold.rows)) === JSON.stringify(sorted(snapshot)));
        expect(sorted(fold.rows)).toEqual(sorted(snapshot));
        await churn(table, 40, 7);
        const after = await expected(table);
        await until(async () => JSON.stringify(sorted(fold.rows)) === JSON.stringify(sorted(after)));
        expect(sorted(fold.rows)).toEqual(sorted(after));
      } finally {
        job.cancel();
        await job.done.catch(() => undefined);
      }
    }, 60_000);
  }
});
