import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testClient, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { changeOrders, createOrders, revenueBySql } from '../../examples/postgres/orders-changes.js';
import { seededRandom } from '../checkpoint/chaos-harness.js';
import { completedCheckpoints } from '../checkpoint/fault-matrix-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { dropSlot, startChild, useCdcTestServer } from './cdc-test-helpers.js';

/**
 * Issue 12's flagship, end to end against the real server: examples/postgres/orders-revenue-cdc.pipe (orders →
 * postgres-cdc → continuous revenue per customer → upserted into a PostgreSQL table by the exactly-once postgres
 * sink), killed with SIGKILL four times while orders-changes.ts's changes keep arriving, resumed with --resume each
 * time: at the end the result table equals SQL's `sum(amount), count(*) … GROUP BY customer` over the orders.
 * The example's table, slot and result names are replaced by unique ones. SLUICE_CHAOS_SEED replays a run.
 */
const SEED = Number(process.env['SLUICE_CHAOS_SEED'] ?? Date.now() % 1_000_000);
const EXAMPLE = path.join(import.meta.dirname, '..', '..', 'examples', 'postgres', 'orders-revenue-cdc.pipe');

const server = useCdcTestServer('the postgres-cdc flagship test');

async function resultTable(table: string): Promise<string[]> {
  const rows = (await server.client.query<{ customer: string; revenue: string; orders: string }>(`SELECT customer, revenue::text, orders::text FROM ${table}`)).rows;
  return rows.map((r) => `${r.customer} ${Number(r.revenue).toFixed(2)} ${r.orders}`).sort();
}

async function sqlRevenue(orders: string): Promise<string[]> {
  return (await revenueBySql(server.client, orders)).map((r) => `${r.customer} ${Number(r.revenue).toFixed(2)} ${r.orders}`).sort();
}

describe(`the flagship example, killed with SIGKILL and resumed while orders change (seed ${SEED})`, () => {
  it(
    'customer_revenue equals the SQL aggregate over orders',
    async (context) => {
      if (server.skipReason !== undefined) return context.skip();
      const random = seededRandom(SEED);
      const orders = uniqueTableName('orders');
      const result = uniqueTableName('customer_revenue');
      const slot = `${orders}_slot`;
      server.cleanup.push(
        () => dropSlot(server.client, slot),
        () => server.client.query(`DROP PUBLICATION IF EXISTS ${slot}_publication`),
        () => server.client.query(`DROP TABLE IF EXISTS ${orders}, ${result}`),
      );
      await createOrders(server.client, orders, 3000);
      const dir = tempDir();
      const text = fs
        .readFileSync(EXAMPLE, 'utf8')
        .replace("'public.orders'", `'public.${orders}'`)
        .replace("'sluice_orders_revenue'", `'${slot}'`)
        .replace("'customer_revenue'", `'${result}'`);
      const graph = compilePipe(text, {
        settings: {
          'pipeline.name': orders,
          'execution.checkpointing.interval': '200ms',
          'state.checkpoints.dir': path.join(dir, 'chk'),
          'restart-strategy.type': 'none',
        },
      });
      const graphFile = path.join(dir, 'job.json');
      fs.writeFileSync(graphFile, JSON.stringify(graph));

      const writer = await testClient();
      let running = true;
      let transactions = 0;
      const writing = (async () => {
        while (running) {
          await changeOrders(writer, orders, 3600, random);
          transactions++;
          await new Promise((resolve) => setTimeout(resolve, 4));
        }
      })();
      const restores: unknown[] = [];
      const newestCheckpoint = () => completedCheckpoints(path.join(dir, 'chk', orders))[0] ?? 0;
      try {
        for (const [attempt, killAfter] of [100 + random() * 400, 300 + random() * 1200, 300 + random() * 1200, 300 + random() * 1200].entries()) {
          const run = startChild(graphFile);
          restores.push(await run.started);
          // The first kill may come before any checkpoint (a restart from nothing); the later ones come after a
          // new checkpoint completed, so restores from checkpoints happen however slow the machine is.
          const before = newestCheckpoint();
          const deadline = Date.now() + 60_000;
          while (attempt > 0 && newestCheckpoint() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
          await new Promise((resolve) => setTimeout(resolve, killAfter));
          run.child.kill('SIGKILL');
          expect(await run.exited, run.stderr()).toBe(null);
        }
        const last = startChild(graphFile);
        restores.push(await last.started);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        running = false;
        await writing;
        expect(transactions).toBeGreaterThan(50);
        const want = await sqlRevenue(orders);
        const deadline = Date.now() + 30_000;
        let got = await resultTable(result).catch(() => []);
        while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          got = await resultTable(result).catch(() => []);
        }
        last.child.kill('SIGKILL');
        await last.exited;
        expect(await resultTable(result)).toEqual(want);
        expect(restores.filter((r) => (r as { kind?: string } | undefined)?.kind === 'restored').length).toBeGreaterThan(0);
      } finally {
        running = false;
        await writing;
        await writer.end();
      }
    },
    180_000,
  );
});
