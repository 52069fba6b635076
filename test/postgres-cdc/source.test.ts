import { describe, expect, it } from 'vitest';
import { uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import type { SplitPosition } from '../../runtime/connectors/source-connector.js';
import { BIGINT } from '../../compiler/types/sql-type.js';
import { runtime } from '../../connectors/postgres-cdc/runtime.js';
import { cdcOptions, cdcSource, confirmedFlush, createOrdersTable, ORDER_SCHEMA, readChanges, readFor, useCdcTestServer } from './cdc-test-helpers.js';

/** The postgres-cdc reader against the local server: snapshot, changes, positions, the slot's confirmed position. */
const server = useCdcTestServer('the postgres-cdc source tests');

async function table(rows: number): Promise<{ table: string; slot: string }> {
  const table = uniqueTableName('cdc_orders');
  await createOrdersTable(server.client, table);
  for (let i = 1; i <= rows; i++) {
    await server.client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, '2024-01-01 12:00:00.250')`, [i, `c${i % 3}`, `${i}.50`, i % 2 === 0]);
  }
  const slot = `${table}_slot`;
  server.slots.push(slot);
  return { table, slot };
}

const TIME = Date.UTC(2024, 0, 1, 12, 0, 0, 250);

describe('postgres-cdc source', () => {
  it('reads the snapshot, then inserts, updates and deletes (key-only deletes in upsert mode)', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(3);
    const connector = await cdcSource(name, slot);
    const [split] = await connector.enumerateSplits();
    const reader = connector.createReader(split!);
    expect(reader.position()).toEqual({ phase: 'start' });
    expect(await readChanges(reader, 3)).toEqual([
      ['+I', [1, 'c1', 1.5, false, TIME]],
      ['+I', [2, 'c2', 2.5, true, TIME]],
      ['+I', [3, 'c0', 3.5, false, TIME]],
    ]);
    await server.client.query(`INSERT INTO ${name} VALUES (4, 'c1', 4.25, NULL, NULL)`);
    await server.client.query(`UPDATE ${name} SET amount = 99.99 WHERE id = 2`);
    await server.client.query(`DELETE FROM ${name} WHERE id = 1`);
    await server.client.query(`UPDATE ${name} SET id = 30 WHERE id = 3`);
    expect(await readChanges(reader, 5)).toEqual([
      ['+I', [4, 'c1', 4.25, null, null]],
      ['+U', [2, 'c2', 99.99, true, TIME]],
      ['-D', [1, null, null, null, null]],
      ['-D', [3, null, null, null, null]],
      ['+I', [30, 'c0', 3.5, false, TIME]],
    ]);
    expect(reader.position()).toMatchObject({ phase: 'stream' });
    await reader.close();
  });

  it('a restored reader goes on right after its position, also inside a transaction; the slot advances only when told', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(0);
    const connector = await cdcSource(name, slot, { 'scan.startup.mode': 'latest-offset' });
    const [split] = await connector.enumerateSplits();
    const first = connector.createReader(split!);
    expect(await readFor(first, 300)).toEqual([]);
    const start = await confirmedFlush(server.client, slot);
    // One transaction of 10 inserts, read 4 at a time: the position falls inside it.
    await server.client.query(`INSERT INTO ${name} SELECT i, 'c', i, true, NULL FROM generate_series(1, 10) AS i`);
    await server.client.query(`INSERT INTO ${name} VALUES (11, 'c', 11, true, NULL)`);
    const head = await readChanges(first, 4, 4);
    const position: SplitPosition = first.position();
    expect(position).toMatchObject({ phase: 'stream', txChanges: 4 });
    expect(await confirmedFlush(server.client, slot)).toBe(start);
    await first.close();

    const second = connector.createReader(split!, position);
    const rest = await readChanges(second, 7, 3);
    expect([...head, ...rest].map(([, row]) => row[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(await readFor(second, 300)).toEqual([]);
    const done = second.position();
    expect(done).not.toHaveProperty('tx');
    await second.notifyCheckpointComplete!(done);
    // The status update travels asynchronously; the slot's confirmed position follows it.
    const deadline = Date.now() + 5000;
    while ((await confirmedFlush(server.client, slot)) === start && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await confirmedFlush(server.client, slot)).toBe((done as { lsn: string }).lsn);
    await second.close();
  });

  it("'changelog-mode' = 'all' uses the server's before-images (REPLICA IDENTITY FULL)", async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(1);
    await server.client.query(`ALTER TABLE ${name} REPLICA IDENTITY FULL`);
    const connector = await cdcSource(name, slot, { 'changelog-mode': 'all' });
    const [split] = await connector.enumerateSplits();
    const reader = connector.createReader(split!);
    expect(await readChanges(reader, 1)).toEqual([['+I', [1, 'c1', 1.5, false, TIME]]]);
    await server.client.query(`UPDATE ${name} SET customer = 'x' WHERE id = 1`);
    await server.client.query(`DELETE FROM ${name} WHERE id = 1`);
    expect(await readChanges(reader, 3)).toEqual([
      ['-U', [1, 'c1', 1.5, false, TIME]],
      ['+U', [1, 'x', 1.5, false, TIME]],
      ['-D', [1, 'x', 1.5, false, TIME]],
    ]);
    await reader.close();
  });

  it('cleanup is refused while a reader holds the slot (SLC9204), then drops slot and publication; a restore then fails with SLC9205', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(2);
    const connector = await cdcSource(name, slot);
    const [split] = await connector.enumerateSplits();
    const reader = connector.createReader(split!);
    await readChanges(reader, 2);
    await readFor(reader, 200);
    const position = reader.position();
    const opening = { role: 'source' as const, jobId: 'test', uid: 'orders-cdc', options: cdcOptions(name, slot), schema: ORDER_SCHEMA, parallelism: 1 };
    await expect(runtime.cleanup!(opening)).rejects.toThrow(/SLC9204|in use by another connection/);
    await reader.close();
    await waitForInactive(slot);
    expect(await runtime.cleanup!(opening)).toEqual([
      `dropped replication slot '${slot}' at postgres://postgres@127.0.0.1:5432/test`,
      `dropped publication '${slot}_publication'`,
    ]);
    expect(await confirmedFlush(server.client, slot)).toBeUndefined();
    const restored = connector.createReader(split!, position);
    await expect(restored.read(10)).rejects.toMatchObject({ code: 'SLC9205' });
    await restored.close();
  });

  it('a role without REPLICATION is refused at start with SLC9203, naming the user and the ALTER ROLE to run', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(1);
    const user = `${name}_reader`;
    await server.client.query(`CREATE ROLE ${user} LOGIN NOREPLICATION`);
    try {
      await server.client.query(`GRANT SELECT ON ${name} TO ${user}`);
      const refused = cdcSource(name, slot, { url: `postgres://${user}@127.0.0.1:5432/test` });
      await expect(refused).rejects.toMatchObject({ code: 'SLC9203' });
      await expect(refused).rejects.toThrow(new RegExp(`ALTER ROLE ${user} REPLICATION`));
    } finally {
      await server.client.query(`DROP OWNED BY ${user}`);
      await server.client.query(`DROP ROLE ${user}`);
    }
  });

  it('a second job reading the same slot is refused with SLC9204 while the first one streams from it', { timeout: 60_000 }, async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(1);
    const first = await cdcSource(name, slot);
    const [split] = await first.enumerateSplits();
    const reader = first.createReader(split!);
    try {
      await readChanges(reader, 1);
      await server.client.query(`INSERT INTO ${name} VALUES (2, 'c2', 2.5, true, '2024-01-01 12:00:00.250')`);
      await readChanges(reader, 1);
      // The second start waits 10 s for the slot (a reader that just died needs a moment to let go), then refuses.
      await expect(cdcSource(name, slot)).rejects.toMatchObject({ code: 'SLC9204' });
    } finally {
      await reader.close();
    }
  });

  it('a second job is refused with SLC9204 while the first one still reads the snapshot (the slot is not streamed yet: its lease says it is taken)', { timeout: 60_000 }, async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const { table: name, slot } = await table(5);
    const first = await cdcSource(name, slot);
    const [split] = await first.enumerateSplits();
    const reader = first.createReader(split!);
    try {
      expect((await reader.read(2)).rows).toHaveLength(2);
      expect(reader.position()).toEqual({ phase: 'snapshot' });
      // Through the start-up checks (another job), and a reader that got past them in a race: each waits 10 s.
      await expect(cdcSource(name, slot)).rejects.toMatchObject({ code: 'SLC9204' });
      const second = first.createReader(split!);
      await expect(second.read(10)).rejects.toMatchObject({ code: 'SLC9204' });
      await second.close();
      // The first reader's snapshot and stream go on untouched.
      expect((await readChanges(reader, 3)).map(([, row]) => row[0])).toEqual([3, 4, 5]);
    } finally {
      await reader.close();
    }
  });

  it('start-up checks name the table and say what to do: missing table, undeclared key, wrong type', async (context) => {
    if (server.skipReason !== undefined) return context.skip();
    const missing = uniqueTableName('cdc_missing');
    await expect(cdcSource(missing, `${missing}_slot`)).rejects.toMatchObject({ code: 'SLC9201' });
    const { table: name, slot } = await table(0);
    const otherKey = { ...ORDER_SCHEMA, upsertKey: [1] };
    await expect(cdcSource(name, slot, {}, otherKey)).rejects.toThrow(/has the primary key \(id\), but the source declares PRIMARY KEY \(customer\)/);
    const wrongType = { ...ORDER_SCHEMA, fields: ORDER_SCHEMA.fields.map((f) => (f.name === 'customer' ? { ...f, type: BIGINT } : f)) };
    await expect(cdcSource(name, slot, {}, wrongType)).rejects.toThrow(/column 'customer' is text, which the source's BIGINT cannot hold/);
  });
});

async function waitForInactive(slot: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const active = await server.client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]);
    if (active.rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
