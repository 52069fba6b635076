import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCAL_POSTGRES, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { Job } from '../../runtime/execution/job.js';
import { RowKind } from '../../runtime/record-batch.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { createOrdersTable, useCdcTestServer } from './cdc-test-helpers.js';

/**
 * A postgres-cdc source at parallelism 2 in worker threads, the worker of subtask 1 starting after subtask 0 has
 * leased the slot. The start-up checks (ConnectorRuntime.prepare) run once, on the main thread, before any worker:
 * run again in a worker, postgres-cdc's check found the slot leased by the job's own subtask 0, waited 10 s and
 * failed the attempt (SLC9204), which the restart strategy then repeated whenever the race went the same way.
 */
const server = useCdcTestServer('the postgres-cdc worker start test');
const LATE_SECOND_WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'late-second-worker.mjs');

describe('postgres-cdc at parallelism 2 in worker threads', () => {
  it('starts a worker after the reading subtask leased the slot without failing the job', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    if (process.env['SLUICE_WORKERS'] === '0') return context.skip('SLUICE_WORKERS=0 runs every subtask on the main thread');
    const table = uniqueTableName('cdc_workers');
    const slot = `${table}_slot`;
    server.slots.push(slot);
    await createOrdersTable(server.client, table);
    await server.client.query(`INSERT INTO ${table} SELECT i, 'c' || (i % 3), 1, true, now() FROM generate_series(1, 30) AS i`);
    const graph = compilePipe(
      `CREATE SOURCE orders (id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN, updated_at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)
         WITH ('connector' = 'postgres-cdc', 'url' = '${LOCAL_POSTGRES}', 'table-name' = 'public.${table}', 'slot.name' = '${slot}') UID 'orders-cdc';
       CREATE SINK counts WITH ('connector' = 'blackhole') UID 'counts';
       INSERT INTO counts FROM orders |> AGGREGATE COUNT(*) AS orders GROUP BY customer UID 'counts-per-customer';`,
      { settings: { 'pipeline.name': table, 'state.checkpoints.dir': path.join(tempDir(), 'chk'), 'parallelism.default': '2' } },
    );
    const counts = new Map<string, number>();
    const restarts: string[] = [];
    const job = await Job.start(graph, {
      functionModules: [LATE_SECOND_WORKER],
      sinks: {
        counts: (rows, { kinds }) =>
          rows.forEach((row, i) => {
            if ((kinds?.[i] ?? RowKind.INSERT) !== RowKind.UPDATE_BEFORE) counts.set(String(row[0]), Number(row[1]));
          }),
      },
    });
    job.on('restart', (event: { reason: string }) => restarts.push(event.reason));
    let ended: string | undefined;
    job.done.then(
      () => (ended = 'ended'),
      (error: unknown) => (ended = String(error)),
    );
    try {
      const settled = () => restarts.length > 0 || ended !== undefined || [...counts.values()].reduce((a, b) => a + b, 0) === 30;
      for (const deadline = Date.now() + 40_000; !settled() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(restarts).toEqual([]);
      expect(ended).toBeUndefined();
      expect([...counts.entries()].sort()).toEqual([
        ['c0', 10],
        ['c1', 10],
        ['c2', 10],
      ]);
    } finally {
      job.cancel();
      await job.done.catch(() => undefined);
    }
  }, 60_000);
});
