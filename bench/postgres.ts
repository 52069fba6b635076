/**
 * Rows per second into PostgreSQL through the postgres sink next to a plain loop with the same `pg` client doing
 * the same statements: file → postgres sink (append; exactly-once with checkpoints every second, and at-least-once)
 * against multi-row INSERTs of 5000 rows (sink.buffer-flush.max-rows' default) built the same way, one transaction
 * per 50,000 rows. Wall clock on the local server (127.0.0.1:5432, database test); the ratio Sluice/plain is the
 * figure. `tsx bench/postgres.ts [rows]`. Not a test: numbers vary by machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../compiler/compile.js';
import { BIGINT, TIMESTAMP3 } from '../compiler/types/sql-type.js';
import { StatementBuilder } from '../connectors/postgres/statements.js';
import { parseTableName } from '../connectors/postgres/table-name.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient, uniqueTableName } from '../connectors/postgres/test-helpers.js';
import { Job } from '../runtime/execution/job.js';

const rows = Number(process.argv[2] ?? 200_000);
const COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP(3)';
const TABLE_COLUMNS = 'auction bigint, bidder bigint, price bigint, date_time timestamp(3)';
const start = Date.UTC(2024, 0, 1);

async function runPipe(text: string, dir: string): Promise<number> {
  const { value, diagnostics } = compile(text, { file: 'bench.pipe', settings: { 'state.checkpoints.dir': join(dir, 'checkpoints') } });
  if (value === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const began = performance.now();
  const job = await Job.start(value);
  await job.done;
  return performance.now() - began;
}

const reason = await postgresUnavailableReason();
if (reason !== undefined) {
  console.log(`postgres bench skipped: ${reason}`);
  process.exit(0);
}
const client = await testClient();
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-postgres-'));
const tables: string[] = [];
const table = async () => {
  const name = uniqueTableName('bench');
  tables.push(name);
  await client.query(`CREATE TABLE ${name} (${TABLE_COLUMNS})`);
  return name;
};
try {
  const file = join(dir, 'bids.jsonl');
  writeFileSync(
    file,
    Array.from({ length: rows }, (_, i) => JSON.stringify({ auction: 1000 + (i % 97), bidder: i % 311, price: 100 + (i % 900), date_time: new Date(start + i).toISOString() })).join('\n') + '\n',
  );
  const sink = async (semantic: string) => {
    const name = await table();
    const ms = await runPipe(
      `SET 'execution.checkpointing.interval' = '1 s';
       CREATE SOURCE bids (${COLUMNS}) WITH ('connector' = 'file', 'path' = '${file}') UID 'bids';
       CREATE SINK out WITH ('connector' = 'postgres', 'url' = '${LOCAL_POSTGRES}', 'table-name' = '${name}', 'sink.semantic' = '${semantic}') UID 'out';
       INSERT INTO out FROM bids;`,
      dir,
    );
    const { rows: counted } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
    if (Number(counted[0]!.n) !== rows) throw new Error(`${name} holds ${counted[0]!.n} rows, not ${rows}`);
    return ms;
  };
  const exactlyOnceMs = await sink('exactly-once');
  const atLeastOnceMs = await sink('at-least-once');

  // The plain loop: the same statements (StatementBuilder), the rows already in memory as the sink receives them.
  const plain = await table();
  const schema = { fields: ['auction', 'bidder', 'price'].map((name) => ({ name, type: BIGINT, nullable: true })).concat([{ name: 'date_time', type: TIMESTAMP3, nullable: true }]), changelog: 'append' as const };
  const builder = new StatementBuilder(parseTableName(plain), schema, undefined, 5000);
  const began = performance.now();
  const TRANSACTION_ROWS = 50_000;
  for (let i = 0; i < rows; i += TRANSACTION_ROWS) {
    const batch = Array.from({ length: Math.min(TRANSACTION_ROWS, rows - i) }, (_, k) => [1000 + ((i + k) % 97), (i + k) % 311, 100 + ((i + k) % 900), start + i + k]);
    await client.query('BEGIN');
    for (const statement of builder.statements(batch, undefined)) await client.query(statement.text, statement.values);
    await client.query('COMMIT');
  }
  const plainMs = performance.now() - began;

  const rate = (ms: number) => Math.round(rows / (ms / 1000));
  const line = (what: string, sluiceMs: number) =>
    console.log(`  ${what.padEnd(34)} ${rate(sluiceMs).toLocaleString('en-US').padStart(9)} rows/s   plain loop ${rate(plainMs).toLocaleString('en-US').padStart(9)} rows/s   ratio ${(plainMs / sluiceMs).toFixed(2)}`);
  console.log(`postgres sink, ${rows.toLocaleString('en-US')} rows, wall clock (Sluice includes job start and reading the file):`);
  line('file → sink (exactly-once)', exactlyOnceMs);
  line('file → sink (at-least-once)', atLeastOnceMs);
} finally {
  for (const name of tables) await client.query(`DROP TABLE IF EXISTS ${name}`);
  await client.query(`DELETE FROM sluice_sink_commits WHERE target_table = ANY($1)`, [tables]).catch(() => undefined);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
}
