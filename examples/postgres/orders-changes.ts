/**
 * The input of examples/postgres/orders-revenue-cdc.pipe: (re)creates the table `orders` with N orders (default
 * 1000), then changes it for S seconds (default 60; 0: none) at R transactions per second (default 50) — new orders,
 * orders moved to another customer or repriced, orders deleted — and at the end prints the revenue per customer as
 * SQL computes it, to compare with the job's table `customer_revenue`:
 *
 *   npx tsx examples/postgres/orders-changes.ts [N] [S] [R] [postgres://127.0.0.1:5432/test]
 */
import pg from 'pg';

/** One transaction of 1–3 random changes to `table` (ids up to `maxId`); `random` returns [0, 1). */
export async function changeOrders(client: pg.Client, table: string, maxId: number, random: () => number): Promise<void> {
  await client.query('BEGIN');
  const changes = 1 + Math.floor(random() * 3);
  for (let k = 0; k < changes; k++) {
    const id = 1 + Math.floor(random() * maxId);
    const customer = `customer-${Math.floor(random() * 20)}`;
    const what = random();
    if (what < 0.4) {
      await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, now()) ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, updated_at = now()`, [
        id,
        customer,
        (1 + random() * 499).toFixed(2),
      ]);
    } else if (what < 0.75) {
      await client.query(`UPDATE ${table} SET customer = $2, amount = amount + 1.25, updated_at = now() WHERE id = $1`, [id, customer]);
    } else {
      await client.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
    }
  }
  await client.query('COMMIT');
}

export async function createOrders(client: pg.Client, table: string, count: number): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10, 2) NOT NULL, updated_at timestamp(3) NOT NULL)`);
  await client.query(
    `INSERT INTO ${table} SELECT i, 'customer-' || (i % 20), round((1 + (i * 37) % 500)::numeric, 2), now() FROM generate_series(1, $1) AS i`,
    [count],
  );
}

/** SQL's revenue per customer: what the job's `customer_revenue` table must hold. */
export async function revenueBySql(client: pg.Client, table: string): Promise<{ customer: string; revenue: string; orders: string }[]> {
  const result = await client.query<{ customer: string; revenue: string; orders: string }>(
    `SELECT customer, sum(amount)::text AS revenue, count(*)::text AS orders FROM ${table} GROUP BY customer ORDER BY customer`,
  );
  return result.rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count = '1000', seconds = '60', rate = '50', url = 'postgres://127.0.0.1:5432/test'] = process.argv.slice(2);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await createOrders(client, 'orders', Number(count));
  console.log(`orders holds ${count} orders; run: sluice run examples/postgres/orders-revenue-cdc.pipe`);
  const end = Date.now() + Number(seconds) * 1000;
  let transactions = 0;
  while (Date.now() < end) {
    await changeOrders(client, 'orders', Number(count) * 1.2, Math.random);
    transactions++;
    await new Promise((resolve) => setTimeout(resolve, 1000 / Number(rate)));
  }
  if (transactions > 0) console.log(`${transactions} transactions of changes made`);
  console.table(await revenueBySql(client, 'orders'));
  await client.end();
}
