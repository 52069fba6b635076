import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { LOCAL_POSTGRES, testClient, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { seededRandom } from '../checkpoint/chaos-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { createOrdersTable, startChild, useCdcTestServer } from './cdc-test-helpers.js';

/**
 * Issue 12's exactly-once test for the CDC source: orders in PostgreSQL → postgres-cdc → continuous revenue per
 * customer → an exactly-once file sink, run in a child process that is killed with SIGKILL at random moments
 * while a writer keeps inserting, updating (moving orders between customers), deleting and re-keying orders, and
 * resumed with `--resume` each time. At the end the committed output, folded in commit order, equals
 * `SELECT customer, sum(amount), count(*) … GROUP BY customer` over the table: a change applied twice or lost
 * would show in the sums. SLUICE_CHAOS_SEED replays a run.
 */
const SEED = Number(process.env['SLUICE_CHAOS_SEED'] ?? Date.now() % 1_000_000);
const TIMEOUT_MS = 120_000;

const server = useCdcTestServer('the postgres-cdc exactly-once tests');

function pipe(table: string, slot: string, out: string, mode: string): string {
  return `
CREATE SOURCE orders (
  id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN, updated_at TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'postgres-cdc', 'url' = '${LOCAL_POSTGRES}', 'table-name' = 'public.${table}', 'slot.name' = '${slot}',
  'changelog-mode' = '${mode}') UID 'orders-cdc';
CREATE SINK revenue WITH ('connector' = 'file', 'path' = '${out}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'revenue-out';
INSERT INTO revenue FROM orders |> AGGREGATE SUM(amount) AS revenue, COUNT(*) AS orders GROUP BY customer UID 'revenue';
`;
}

/** The committed output folded in commit order: customer → "revenue/orders". */
function foldedOutput(dir: string): Map<string, string> {
  const rows = new Map<string, string>();
  const records = path.join(dir, '.sluice-commits-revenue-out-0.jsonl');
  if (!fs.existsSync(records)) return rows;
  for (const line of fs.readFileSync(records, 'utf8').split('\n')) {
    if (line === '') continue;
    let record: { file: string };
    try {
      record = JSON.parse(line) as { file: string };
    } catch {
      continue; // a torn last line
    }
    const file = path.join(dir, path.basename(record.file));
    if (!fs.existsSync(file)) continue;
    for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
      if (text === '') continue;
      const row = JSON.parse(text) as { op: string; customer: string; revenue: number; orders: number };
      if (row.op === '+I' || row.op === '+U') rows.set(row.customer, `${row.revenue.toFixed(2)}/${row.orders}`);
      else if (row.op === '-D') rows.delete(row.customer);
    }
  }
  return rows;
}

async function expected(table: string): Promise<Map<string, string>> {
  const result = await server.client.query<{ customer: string; revenue: string; orders: string }>(
    `SELECT customer, sum(amount)::text AS revenue, count(*)::text AS orders FROM ${table} GROUP BY customer`,
  );
  return new Map(result.rows.map((r) => [r.customer, `${Number(r.revenue).toFixed(2)}/${r.orders}`]));
}

const sorted = (m: Map<string, string>) => [...m.entries()].sort();

/** Changes in small transactions until `stop()`; resolves with the number of transactions once stopped. */
function startWriter(writer: Client, table: string, random: () => number): { stop(): Promise<number> } {
  let running = true;
  const done = (async () => {
    let transactions = 0;
    while (running) {
      await writer.query('BEGIN');
      for (let k = 0; k < 3; k++) {
        const id = 1 + Math.floor(random() * 300);
        const customer = `c${Math.floor(random() * 9)}`;
        const what = random();
        if (what < 0.35) await writer.query(`INSERT INTO ${table} VALUES ($1, $2, $3, true, now()) ON CONFLICT (id) DO UPDATE SET amount = ${table}.amount + 1`, [id, customer, (random() * 500).toFixed(2)]);
        else if (what < 0.7) await writer.query(`UPDATE ${table} SET customer = $2, amount = amount + 0.5 WHERE id = $1`, [id, customer]);
        else if (what < 0.9) await writer.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
        else await writer.query(`UPDATE ${table} SET id = id + 1000 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM ${table} WHERE id = $1 + 1000)`, [id]);
      }
      await writer.query('COMMIT');
      transactions++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return transactions;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

/** The committed rows of the raw-changelog sink, in commit order. */
function committedLines(dir: string, uid: string): { op: string; id: number; amount: number }[] {
  const records = path.join(dir, `.sluice-commits-${uid}-0.jsonl`);
  if (!fs.existsSync(records)) return [];
  return fs
    .readFileSync(records, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { file: string }];
      } catch {
        return []; // the empty last line, or a torn one
      }
    })
    .flatMap((record) => {
      const file = path.join(dir, path.basename(record.file));
      if (!fs.existsSync(file)) return [];
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { op: string; id: number; amount: number });
    });
}

describe(`postgres-cdc → revenue per customer, killed with SIGKILL while changes arrive (seed ${SEED})`, () => {
  for (const mode of ['upsert', 'all']) {
    it(
      `the committed result equals the SQL aggregate ('changelog-mode' = '${mode}')`,
      async (context) => {
        if (server.skipReason !== undefined) return context.skip();
        const random = seededRandom(SEED + mode.length);
        const table = uniqueTableName('cdc_eo');
        const slot = `${table}_slot`;
        server.slots.push(slot);
        await createOrdersTable(server.client, table);
        if (mode === 'all') await server.client.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
        await server.client.query(`INSERT INTO ${table} SELECT i, 'c' || (i % 9), i * 1.25, true, now() FROM generate_series(1, 2000) AS i`);
        const dir = tempDir();
        const out = path.join(dir, 'out');
        const graphFile = path.join(dir, 'job.json');
        const graph = compilePipe(pipe(table, slot, out, mode), {
          settings: { 'pipeline.name': table, 'execution.checkpointing.interval': '150ms', 'state.checkpoints.dir': path.join(dir, 'chk'), 'restart-strategy.type': 'none' },
        });
        fs.writeFileSync(graphFile, JSON.stringify(graph));

        const writer = await testClient();
        const changes = startWriter(writer, table, random);
        try {
          // The first kill may land in the snapshot, the others in the stream.
          for (const killAfter of [50 + random() * 300, 300 + random() * 1200, 300 + random() * 1200]) {
            const run = startChild(graphFile);
            await run.started;
            await new Promise((resolve) => setTimeout(resolve, killAfter));
            run.child.kill('SIGKILL');
            const code = await run.exited;
            expect(code, run.stderr()).toBe(null);
          }
          const last = startChild(graphFile);
          await last.started;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const transactions = await changes.stop();
          expect(transactions).toBeGreaterThan(20);
          const want = await expected(table);
          const deadline = Date.now() + 30_000;
          while (JSON.stringify(sorted(foldedOutput(out))) !== JSON.stringify(sorted(want)) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          last.child.kill('SIGKILL');
          await last.exited;
          expect(sorted(foldedOutput(out))).toEqual(sorted(want));
        } finally {
          await changes.stop();
          await writer.end();
        }
      },
      TIMEOUT_MS,
    );
  }

  it(
    'the raw changelog (REPLICA IDENTITY FULL, latest-offset) holds every change exactly once across kills',
    async (context) => {
      if (server.skipReason !== undefined) return context.skip();
      const random = seededRandom(SEED + 99);
      const table = uniqueTableName('cdc_raw');
      const slot = `${table}_slot`;
      server.slots.push(slot);
      await createOrdersTable(server.client, table);
      await server.client.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
      const dir = tempDir();
      const out = path.join(dir, 'out');
      const graphFile = path.join(dir, 'job.json');
      const graph = compilePipe(
        `CREATE SOURCE orders (id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN, updated_at TIMESTAMP(3), PRIMARY KEY (id) NOT ENFORCED)
           WITH ('connector' = 'postgres-cdc', 'url' = '${LOCAL_POSTGRES}', 'table-name' = '${table}', 'slot.name' = '${slot}',
                 'changelog-mode' = 'all', 'scan.startup.mode' = 'latest-offset') UID 'orders-cdc';
         CREATE SINK changes WITH ('connector' = 'file', 'path' = '${out}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'changes-out';
         INSERT INTO changes FROM orders |> SELECT id, amount;`,
        { settings: { 'pipeline.name': table, 'execution.checkpointing.interval': '150ms', 'state.checkpoints.dir': path.join(dir, 'chk'), 'restart-strategy.type': 'none' } },
      );
      fs.writeFileSync(graphFile, JSON.stringify(graph));
      // The slot exists once the first run has started: only then may changes be made (latest-offset).
      const first = startChild(graphFile);
      await first.started;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const writer = await testClient();
      let inserted = 0;
      let running = true;
      // Every transaction inserts the next id with amount 0 and adds 1 to the amount of an earlier one.
      const writing = (async () => {
        while (running) {
          await writer.query('BEGIN');
          inserted++;
          await writer.query(`INSERT INTO ${table} VALUES ($1, 'c', 0, true, NULL)`, [inserted]);
          await writer.query(`UPDATE ${table} SET amount = amount + 1 WHERE id = $1`, [1 + Math.floor(random() * inserted)]);
          await writer.query('COMMIT');
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
      })();
      try {
        let run = first;
        for (const killAfter of [400 + random() * 800, 300 + random() * 1000, 300 + random() * 1000]) {
          await new Promise((resolve) => setTimeout(resolve, killAfter));
          run.child.kill('SIGKILL');
          expect(await run.exited, run.stderr()).toBe(null);
          run = startChild(graphFile);
          await run.started;
        }
        await new Promise((resolve) => setTimeout(resolve, 800));
        running = false;
        await writing;
        const amounts = new Map((await server.client.query<{ id: string; amount: string }>(`SELECT id, amount FROM ${table}`)).rows.map((r) => [Number(r.id), Number(r.amount)]));
        const complete = () => committedLines(out, 'changes-out').filter((l) => l.op === '+I').length >= inserted;
        const deadline = Date.now() + 30_000;
        while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        await new Promise((resolve) => setTimeout(resolve, 500));
        run.child.kill('SIGKILL');
        await run.exited;
        const lines = committedLines(out, 'changes-out');
        const inserts = lines.filter((l) => l.op === '+I').map((l) => l.id);
        expect(inserts).toEqual(Array.from({ length: inserted }, (_, i) => i + 1));
        const updates = new Map<number, number>();
        for (const l of lines) if (l.op === '+U') updates.set(l.id, (updates.get(l.id) ?? 0) + 1);
        expect(lines.filter((l) => l.op === '-U').length).toBe(lines.filter((l) => l.op === '+U').length);
        expect([...updates.entries()].sort((a, b) => a[0] - b[0])).toEqual([...amounts.entries()].filter(([, a]) => a > 0).sort((a, b) => a[0] - b[0]));
      } finally {
        running = false;
        await writing;
        await writer.end();
      }
    },
    TIMEOUT_MS,
  );
});
