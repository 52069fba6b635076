import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, TIMESTAMP3, decimal, type Field, type SqlType } from '../../compiler/types/sql-type.js';
import { createPostgresSinkWriter, StagedRowsSchema } from '../../connectors/postgres/sink.js';
import { prepareSinkTable } from '../../connectors/postgres/prepare-table.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { RowKind, type SinkContext } from '../../runtime/connectors/sink-connector.js';

/**
 * The postgres sink against the local server: appends, upserts and deletes, types, exactly-once commits with their
 * records (a retry and a restore after a crash apply a checkpoint once, also out of order after a rescale), and
 * the start-up checks (missing table, create-table, wrong types, missing key, permission denied, server down).
 */
let skipReason: string | undefined;
let admin: Client;
const tables: string[] = [];

beforeAll(async () => {
  skipReason = await postgresUnavailableReason();
  if (skipReason !== undefined) console.warn(`skipping the postgres sink tests: ${skipReason}`);
  else admin = await testClient();
});
afterAll(async () => {
  if (admin === undefined) return;
  for (const table of tables) await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.query(`DELETE FROM sluice_sink_commits WHERE sink_uid LIKE 'pgtest-%'`).catch(() => undefined);
  await dropReaderRole().catch(() => undefined);
  await admin.end();
});

/** Drops the test's reader role with its grants: a run killed before its clean-up leaves it holding a table's. */
function dropReaderRole(): Promise<unknown> {
  return admin.query(
    "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'sluice_test_reader') THEN DROP OWNED BY sluice_test_reader; DROP ROLE sluice_test_reader; END IF; END $$",
  );
}

const field = (name: string, type: SqlType, nullable = true): Field => ({ name, type, nullable });
const TOTALS: StreamSchema = { fields: [field('bidder', BIGINT, false), field('n', BIGINT), field('total', decimal(10, 2))], changelog: 'upsert' };

/** A sink subtask's context; `primaryKey: null` for an append sink. */
function context(overrides: Omit<Partial<SinkContext>, 'primaryKey'> & { primaryKey?: readonly string[] | null } = {}): SinkContext {
  const { primaryKey = ['bidder'], ...rest } = overrides;
  return { jobId: 'job', runId: 'run1', subtask: 0, parallelism: 1, uid: 'pgtest-out', lineage: 'lineage1', ...(primaryKey === null ? {} : { primaryKey }), ...rest };
}

function options(table: string, extra: Record<string, string> = {}): ConnectorOptions {
  return new ConnectorOptions('postgres', { url: LOCAL_POSTGRES, 'table-name': table, 'sink.semantic': 'exactly-once', ...extra });
}

async function newTable(prefix: string, columns: string): Promise<string> {
  const table = uniqueTableName(prefix);
  tables.push(table);
  await admin.query(`CREATE TABLE ${table} (${columns})`);
  return table;
}

/** The rows of an all-numeric table, as numbers (the test client reads bigint and numeric as text). */
async function rowsOf(table: string): Promise<(number | null)[][]> {
  const { rows } = await admin.query({ text: `SELECT * FROM ${table} ORDER BY 1`, rowMode: 'array' });
  return (rows as unknown[][]).map((row) => row.map((v) => (v === null ? null : Number(v))));
}

const kindsOf = (...kinds: number[]) => Uint8Array.from(kinds);

describe('postgres sink: writing', () => {
  it('appends with batched INSERTs and maps every type both ways (at-least-once)', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('append', 'i integer, b bigint, d double precision, m numeric(10,2), s text, t timestamp(3), f boolean');
    const schema: StreamSchema = {
      fields: [field('i', INT), field('b', BIGINT), field('d', DOUBLE), field('m', decimal(10, 2)), field('s', STRING), field('t', TIMESTAMP3), field('f', BOOLEAN)],
      changelog: 'append',
    };
    const sink = createPostgresSinkWriter(options(table, { 'sink.semantic': 'at-least-once', 'sink.buffer-flush.max-rows': '2' }), schema, context({ primaryKey: null }));
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    sink.write([
      [1, 9007199254740991, 1.5, 12.34, 'a "quoted" \'text\'', at, true],
      [2, -1, -0.25, -0.01, '', at + 1, false],
      [3, null, null, null, null, null, null],
    ]);
    await sink.preCommit(1);
    await sink.close();
    const { rows } = await admin.query({ text: `SELECT i, b::text, d, m::text, s, to_char(t, 'YYYY-MM-DD HH24:MI:SS.MS'), f FROM ${table} ORDER BY i`, rowMode: 'array' });
    expect(rows).toEqual([
      [1, '9007199254740991', 1.5, '12.34', 'a "quoted" \'text\'', '2024-01-02 03:04:05.678', true],
      [2, '-1', -0.25, '-0.01', '', '2024-01-02 03:04:05.679', false],
      [3, null, null, null, null, null, null],
    ]);
  });

  it('upserts by the key, deletes, skips -U, and folds several changes of a key in one batch to the last', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('upsert', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    const sink = createPostgresSinkWriter(options(table, { 'sink.semantic': 'at-least-once' }), TOTALS, context());
    sink.write([[1, 1, 10], [2, 1, 5], [3, 1, 7]], kindsOf(RowKind.INSERT, RowKind.INSERT, RowKind.INSERT));
    await sink.flush();
    expect(await rowsOf(table)).toEqual([[1, 1, 10], [2, 1, 5], [3, 1, 7]]);
    sink.write(
      [[1, 1, 10], [1, 2, 30], [2, 1, 5], [1, 2, 30], [1, 3, 31], [3, 1, 7], [4, 1, 1], [4, 1, 1], [3, 1, 7], [3, 2, 9]],
      kindsOf(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT, RowKind.DELETE, RowKind.INSERT, RowKind.UPDATE_AFTER),
    );
    await sink.close();
    // 1 updated twice, 2 deleted, 3 deleted then back, 4 inserted and deleted.
    expect(await rowsOf(table)).toEqual([[1, 3, 31], [3, 2, 9]]);
  });

  it('at-least-once flushes buffered rows every sink.buffer-flush.interval by itself', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('interval', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    const sink = createPostgresSinkWriter(options(table, { 'sink.semantic': 'at-least-once', 'sink.buffer-flush.interval': '100 ms' }), TOTALS, context());
    sink.write([[7, 1, 1]], kindsOf(RowKind.INSERT));
    await expect.poll(() => rowsOf(table), { timeout: 5000 }).toEqual([[7, 1, 1]]);
    await sink.close();
  });

  it('at-least-once flushes by itself once sink.buffer-flush.max-rows rows are buffered', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('maxrows', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    const sink = createPostgresSinkWriter(options(table, { 'sink.semantic': 'at-least-once', 'sink.buffer-flush.max-rows': '2', 'sink.buffer-flush.interval': '0 s' }), TOTALS, context());
    sink.write([[1, 1, 1]], kindsOf(RowKind.INSERT));
    sink.write([[2, 1, 1]], kindsOf(RowKind.INSERT));
    await expect.poll(() => rowsOf(table), { timeout: 5000 }).toEqual([[1, 1, 1], [2, 1, 1]]);
    sink.write([[3, 1, 1]], kindsOf(RowKind.INSERT));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rowsOf(table)).toHaveLength(2);
    await sink.close();
    expect(await rowsOf(table)).toHaveLength(3);
  });
});

describe('postgres sink: exactly-once', () => {
  it('writes a checkpoint only when it completes, and a retried commit or a restore applies it once', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('eo', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    const appendTable = await newTable('eo_append', 'bidder bigint, n bigint, total numeric(10,2)');
    await prepareSinkTable({ role: 'sink', jobId: 'job', uid: 'pgtest-out', options: options(table), schema: TOTALS, parallelism: 1, primaryKey: ['bidder'] });
    const append: StreamSchema = { ...TOTALS, changelog: 'append' };
    const sink = createPostgresSinkWriter(options(appendTable), append, context({ uid: 'pgtest-append', primaryKey: null }));
    sink.write([[1, 1, 10], [2, 1, 20]]);
    await sink.flush();
    const staged = await sink.preCommit(1);
    expect(StagedRowsSchema.array().parse(JSON.parse(JSON.stringify(staged)))).toEqual(staged);
    expect(await rowsOf(appendTable)).toEqual([]);
    await sink.commit(staged);
    await sink.commit(staged);
    expect(await rowsOf(appendTable)).toEqual([[1, 1, 10], [2, 1, 20]]);
    // A restored run (another run id) recovering the same checkpoint: recorded, so nothing is written again.
    const restored = createPostgresSinkWriter(options(appendTable), append, context({ uid: 'pgtest-append', runId: 'run2', primaryKey: null }));
    await restored.recover(StagedRowsSchema.array().parse(JSON.parse(JSON.stringify(staged))));
    expect(await rowsOf(appendTable)).toEqual([[1, 1, 10], [2, 1, 20]]);
    // The restored run numbers checkpoints again from the restored one: its own checkpoint 1 is new rows.
    restored.write([[3, 1, 30]]);
    await restored.commit(await restored.preCommit(1));
    expect(await rowsOf(appendTable)).toEqual([[1, 1, 10], [2, 1, 20], [3, 1, 30]]);
    await sink.close();
    await restored.close();
  });

  it('a crash between checkpoint completion and commit: the restored sink commits the checkpoint exactly once', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('crash', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    const first = createPostgresSinkWriter(options(table), TOTALS, context({ uid: 'pgtest-crash' }));
    first.write([[1, 1, 10], [1, 2, 25], [2, 1, 3]], kindsOf(RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.INSERT));
    const staged = JSON.parse(JSON.stringify(await first.preCommit(4))) as unknown;
    // The process dies here: checkpoint 4 completed (its state holds `staged`), notifyCheckpointComplete never ran.
    await first.abort();
    expect(await rowsOf(table)).toEqual([]);
    const second = createPostgresSinkWriter(options(table), TOTALS, context({ uid: 'pgtest-crash', runId: 'run2' }));
    await second.recover(StagedRowsSchema.array().parse(staged));
    expect(await rowsOf(table)).toEqual([[1, 2, 25], [2, 1, 3]]);
    await second.abort();
    // Dies again right after that commit, before the next checkpoint: the third run recovers checkpoint 4 again.
    const third = createPostgresSinkWriter(options(table), TOTALS, context({ uid: 'pgtest-crash', runId: 'run3' }));
    await third.recover(StagedRowsSchema.array().parse(staged));
    third.write([[2, 1, 3]], kindsOf(RowKind.DELETE));
    await third.commit(await third.preCommit(5));
    expect(await rowsOf(table)).toEqual([[1, 2, 25]]);
    const { rows } = await admin.query(`SELECT run, checkpoint_id FROM sluice_sink_commits WHERE sink_uid = 'pgtest-crash' ORDER BY checkpoint_id`);
    expect(rows).toEqual([{ run: 'run1', checkpoint_id: '4' }, { run: 'run3', checkpoint_id: '5' }]);
    await third.close();
  });

  it('after a rescale, checkpoints of one subtask committed out of order by two subtasks are each applied once', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('rescale', 'bidder bigint, n bigint, total numeric(10,2)');
    const append: StreamSchema = { ...TOTALS, changelog: 'append' };
    const old = createPostgresSinkWriter(options(table), append, context({ uid: 'pgtest-rescale', primaryKey: null }));
    old.write([[5, 5, 5]]);
    const five = await old.preCommit(5);
    old.write([[6, 6, 6]]);
    const six = await old.preCommit(6);
    await old.abort();
    const a = createPostgresSinkWriter(options(table), append, context({ uid: 'pgtest-rescale', runId: 'r2', subtask: 0, parallelism: 2, primaryKey: null }));
    const b = createPostgresSinkWriter(options(table), append, context({ uid: 'pgtest-rescale', runId: 'r2', subtask: 1, parallelism: 2, primaryKey: null }));
    await b.recover(six);
    await a.recover(five);
    await a.recover(five);
    expect(await rowsOf(table)).toEqual([[5, 5, 5], [6, 6, 6]]);
    await a.close();
    await b.close();
  });
});

describe('postgres sink: failures mid-run', () => {
  it('a refused write is SLC9195 naming the table, and an exactly-once commit leaves nothing of the checkpoint behind', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('refused', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2) CHECK (total < 100)');
    const sink = createPostgresSinkWriter(options(table), TOTALS, context({ uid: 'pgtest-refused' }));
    sink.write([[1, 1, 10], [2, 1, 500]], kindsOf(RowKind.INSERT, RowKind.INSERT));
    const error = await sink.commit(await sink.preCommit(1)).then(
      () => new Error('accepted') as Error & { code?: string },
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error.code).toBe('SLC9195');
    expect(error.message).toContain(`postgres sink 'pgtest-refused': writing to table '${table}' at postgres://postgres@127.0.0.1:5432/test failed: new row for relation "${table}" violates check constraint`);
    expect(await rowsOf(table)).toEqual([]);
    const { rows } = await admin.query(`SELECT 1 FROM sluice_sink_commits WHERE sink_uid = 'pgtest-refused'`);
    expect(rows).toEqual([]);
    await sink.abort();
  });

  it('a privilege revoked while the job runs is SLC9194 at the next write', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('revoked', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    await admin.query('DROP ROLE IF EXISTS sluice_test_writer');
    await admin.query('CREATE ROLE sluice_test_writer LOGIN');
    try {
      await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO sluice_test_writer`);
      const sink = createPostgresSinkWriter(options(table, { username: 'sluice_test_writer', 'sink.semantic': 'at-least-once' }), TOTALS, context());
      sink.write([[1, 1, 1]], kindsOf(RowKind.INSERT));
      await sink.flush();
      await admin.query(`REVOKE INSERT ON ${table} FROM sluice_test_writer`);
      sink.write([[2, 1, 1]], kindsOf(RowKind.INSERT));
      await expect(sink.flush()).rejects.toMatchObject({ code: 'SLC9194', message: expect.stringContaining(`refused INSERT on '${table}': permission denied for table ${table}`) });
      await sink.abort();
    } finally {
      await admin.query(`DROP TABLE ${table}`);
      await admin.query('DROP ROLE sluice_test_writer');
    }
  });
});

describe('postgres sink: start-up checks', () => {
  const opening = (table: string, extra: Record<string, string> = {}, schema: StreamSchema = TOTALS, primaryKey: string[] | undefined = ['bidder']) => ({
    role: 'sink' as const,
    jobId: 'job',
    uid: 'pgtest-out',
    options: options(table, extra),
    schema,
    parallelism: 1,
    ...(primaryKey === undefined ? {} : { primaryKey }),
  });

  it('a missing table is SLC9192 saying how to create it, and sink.create-table creates it with the key', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = uniqueTableName('missing');
    tables.push(table);
    await expect(prepareSinkTable(opening(table))).rejects.toThrow(
      `postgres sink 'pgtest-out': PostgreSQL at postgres://postgres@127.0.0.1:5432/test has no table '${table}'\ncreate it (its columns: "bidder" bigint, "n" bigint, "total" numeric(10,2)), or set 'sink.create-table' = 'true'`,
    );
    await prepareSinkTable(opening(table, { 'sink.create-table': 'true' }));
    const { rows } = await admin.query(
      `SELECT column_name, data_type, numeric_precision, numeric_scale, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    expect(rows.map((r) => [r.column_name, r.data_type, r.is_nullable])).toEqual([['bidder', 'bigint', 'NO'], ['n', 'bigint', 'YES'], ['total', 'numeric', 'YES']]);
    // And it then passes the checks it would have failed.
    await prepareSinkTable(opening(table));
  });

  it('wrong types and missing columns are SLC9193 naming table, column and both types', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('wrong', 'bidder integer PRIMARY KEY, total numeric(12,2), extra text NOT NULL');
    const error = await prepareSinkTable(opening(table)).then(
      () => new Error('accepted') as Error & { code?: string },
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error.code).toBe('SLC9193');
    expect(error.message).toContain(`table '${table}' at postgres://postgres@127.0.0.1:5432/test does not match the sink's columns: `);
    expect(error.message).toContain("column 'bidder' is integer in the table but BIGINT in the sink, which needs bigint");
    expect(error.message).toContain("column 'n' (BIGINT) is missing, add it as bigint");
    expect(error.message).toContain("column 'total' is numeric(12,2) in the table but DECIMAL(10, 2) in the sink, which needs numeric(10,2)");
    expect(error.message).toContain("column 'extra' is NOT NULL without a default, and the sink does not write it");
  });

  it('an upsert sink needs a unique key on its primary key (SLC9196)', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('nokey', 'bidder bigint, n bigint, total numeric(10,2)');
    await expect(prepareSinkTable(opening(table))).rejects.toMatchObject({ code: 'SLC9196' });
  });

  it('a user without INSERT is SLC9194 at start', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip();
    const table = await newTable('perm', 'bidder bigint PRIMARY KEY, n bigint, total numeric(10,2)');
    await dropReaderRole();
    await admin.query('CREATE ROLE sluice_test_reader LOGIN');
    await admin.query(`GRANT SELECT ON ${table} TO sluice_test_reader`);
    const error = await prepareSinkTable(opening(table, { username: 'sluice_test_reader', 'sink.semantic': 'at-least-once' })).then(
      () => new Error('accepted') as Error & { code?: string },
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error.code).toBe('SLC9194');
    expect(error.message).toContain(`postgres sink 'pgtest-out': PostgreSQL at postgres://sluice_test_reader@127.0.0.1:5432/test refused INSERT, UPDATE, DELETE on '${table}'`);
  });

  it('a server that does not answer is SLC9190 at start, without the password', async () => {
    const error = await prepareSinkTable({ ...opening('t'), options: new ConnectorOptions('postgres', { url: 'postgres://u:s3cr3t@127.0.0.1:1/test', 'table-name': 't' }) }).then(
      () => new Error('accepted') as Error & { code?: string },
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error.code).toBe('SLC9190');
    expect(error.message).not.toContain('s3cr3t');
  });
});
