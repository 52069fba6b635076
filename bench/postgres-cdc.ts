/**
 * CDC changes per second: a transaction of N inserts (then one updating all N rows) committed on the local server
 * (127.0.0.1:5432, database test) while a job postgres-cdc → callback sink reads the slot, timed from the commit to
 * the last change at the sink; next to a plain loop with pg-logical-replication's own service reading the same kind
 * of transaction from a slot of its own (decoding only, no rows built). Also the snapshot: N rows read by a job
 * started with 'initial'. Wall clock; `tsx bench/postgres-cdc.ts [N]`. Not a test: numbers vary by machine.
 */
import { compile } from '../compiler/compile.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient, uniqueTableName } from '../connectors/postgres/test-helpers.js';
import { Job } from '../runtime/execution/job.js';

const rows = Number(process.argv[2] ?? 100_000);

const reason = await postgresUnavailableReason();
if (reason !== undefined) {
  console.log(`postgres-cdc bench skipped: ${reason}`);
  process.exit(0);
}
const client = await testClient();
const level = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
if (level !== 'logical') {
  console.log(`postgres-cdc bench skipped: wal_level is '${level}', not 'logical'`);
  process.exit(0);
}

const table = uniqueTableName('bench_cdc');
const slots: string[] = [];
const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
};

/** Runs a job on the table with a counting sink; `measure` gets the count and returns the milliseconds it measured. */
async function job(mode: string, startup: string, measure: (seen: () => number) => Promise<number>): Promise<number> {
  const slot = `${table}_${slots.length}`;
  slots.push(slot);
  const { value, diagnostics } = compile(
    `CREATE SOURCE orders (id BIGINT, customer STRING, amount DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'postgres-cdc', 'url' = '${LOCAL_POSTGRES}', 'table-name' = '${table}', 'slot.name' = '${slot}',
             'changelog-mode' = '${mode}', 'scan.startup.mode' = '${startup}') UID 'orders-cdc';
     CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
     INSERT INTO out FROM orders;`,
    { file: 'bench.pipe' },
  );
  if (value === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  let seen = 0;
  const running = await Job.start(value, { sinks: { out: (batch) => void (seen += batch.length) } });
  try {
    return await measure(() => seen);
  } finally {
    await running.cancel();
  }
}

/** Waits until the job's slot is streamed, then commits `sql` and times until `expected` more rows reached the sink. */
function streamed(sql: string, expected: (before: number) => number): (seen: () => number) => Promise<number> {
  return async (seen: () => number) => {
    const slot = slots.at(-1)!;
    for (;;) {
      const active = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]);
      if (active.rowCount !== 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const before = seen();
    const target = expected(before);
    await client.query(sql);
    const began = performance.now();
    await until(() => seen() >= target);
    return performance.now() - began;
  };
}

/** pg-logical-replication's service on a slot of its own: commit `sql`, time until `count` changes were decoded. */
async function plainLoop(sql: string, count: number): Promise<number> {
  const { LogicalReplicationService, PgoutputPlugin } = await import('pg-logical-replication');
  const slot = `${table}_plain${slots.length}`;
  slots.push(slot);
  await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  const service = new LogicalReplicationService({ connectionString: LOCAL_POSTGRES }, { acknowledge: { auto: true, timeoutSeconds: 10 } });
  let changes = 0;
  service.on('data', (_lsn: string, message: { tag: string }) => {
    if (message.tag === 'insert' || message.tag === 'update') changes++;
  });
  const started = new Promise<void>((resolve) => service.once('start', () => resolve()));
  void service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [`${table}_pub`] }), slot).catch(() => undefined);
  await started;
  await client.query(sql);
  const began = performance.now();
  await until(() => changes >= count);
  const ms = performance.now() - began;
  await service.destroy();
  return ms;
}

try {
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, customer text, amount numeric(10, 2))`);
  await client.query(`CREATE PUBLICATION ${table}_pub FOR TABLE ${table}`);
  const insert = `INSERT INTO ${table} SELECT i, 'c' || (i % 100), i % 1000 FROM generate_series(1, ${rows}) AS i`;
  const update = `UPDATE ${table} SET amount = amount + 1`;

  const plainInsertMs = await plainLoop(insert, rows);
  await client.query(`TRUNCATE ${table}`);
  const insertMs = await job('upsert', 'latest-offset', streamed(insert, (b) => b + rows));
  // A job started at the latest offset has no row of these keys yet: its ChangelogNormalize passes each update on
  // as one +I (each still costs a state read and write); with 'all' the source sends -U and +U, 2 rows per change.
  const updateMs = await job('upsert', 'latest-offset', streamed(update, (b) => b + rows));
  await client.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
  const updateFullMs = await job('all', 'latest-offset', streamed(update, (b) => b + 2 * rows));
  const snapshotMs = await job('upsert', 'initial', async (seen) => {
    const began = performance.now();
    await until(() => seen() >= rows);
    return performance.now() - began;
  });

  const rate = (ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US').padStart(9);
  console.log(`postgres-cdc, transactions of ${rows.toLocaleString('en-US')} changes, wall clock from commit to the last change:`);
  console.log(`  inserts, plain pg-logical-replication loop ${rate(plainInsertMs)} changes/s`);
  console.log(`  inserts → job (upsert mode)                ${rate(insertMs)} changes/s   ratio ${(plainInsertMs / insertMs).toFixed(2)}`);
  console.log(`  updates → job (upsert: ChangelogNormalize) ${rate(updateMs)} changes/s`);
  console.log(`  updates → job (all: REPLICA IDENTITY FULL) ${rate(updateFullMs)} changes/s`);
  console.log(`  snapshot ('initial', from the job's start)  ${rate(snapshotMs)} rows/s`);
} finally {
  for (const slot of slots) await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
  await client.query(`DROP PUBLICATION IF EXISTS ${table}_pub`);
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.end();
}
