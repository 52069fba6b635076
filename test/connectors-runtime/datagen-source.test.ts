import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, TIMESTAMP3, decimal, type Field } from '../../compiler/types/sql-type.js';
import { createDatagenSource } from '../../connectors/datagen/source.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SourceConnector } from '../../runtime/connectors/source-connector.js';
import { appendSchema, readAll } from './helpers.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'qty', type: INT, nullable: false },
  { name: 'price', type: decimal(8, 2), nullable: true },
  { name: 'ratio', type: DOUBLE, nullable: false },
  { name: 'label', type: STRING, nullable: false },
  { name: 'flag', type: BOOLEAN, nullable: false },
  { name: 'at', type: TIMESTAMP3, nullable: false },
];
const options = {
  'number-of-rows': '1000',
  'fields.id.kind': 'sequence',
  'fields.id.start': '100',
  'fields.id.end': '100000',
  'fields.qty.min': '-5',
  'fields.qty.max': '5',
  'fields.price.min': '10',
  'fields.price.max': '20',
  'fields.price.null-rate': '0.25',
  'fields.label.length': '12',
};

function datagen(opts: Record<string, string>, parallelism = 1): SourceConnector {
  return createDatagenSource(new ConnectorOptions('datagen', opts), appendSchema(fields), { parallelism });
}

async function readSource(source: SourceConnector): Promise<unknown[][]> {
  const splits = await source.enumerateSplits();
  return (await Promise.all(splits.map((split) => readAll(source.createReader(split), 97)))).flat();
}

describe('datagen source', () => {
  it('generates within the configured ranges', async () => {
    const rows = await readSource(datagen(options));
    expect(rows).toHaveLength(1000);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 1000 }, (_, i) => 100 + i));
    for (const [, qty, price, ratio, label, flag, at] of rows) {
      expect(qty).toBeGreaterThanOrEqual(-5);
      expect(qty).toBeLessThanOrEqual(5);
      expect(Number.isInteger(qty)).toBe(true);
      if (price !== null) {
        expect(price).toBeGreaterThanOrEqual(10);
        expect(price).toBeLessThanOrEqual(20);
        expect(Math.round((price as number) * 100)).toBeCloseTo((price as number) * 100, 6);
      }
      expect(ratio).toBeGreaterThanOrEqual(0);
      expect(ratio).toBeLessThan(1);
      expect(label).toMatch(/^[0-9a-f]{12}$/);
      expect(typeof flag).toBe('boolean');
      expect(at).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1));
      expect(at).toBeLessThan(Date.UTC(2025, 0, 1));
    }
    const nulls = rows.filter((r) => r[2] === null).length / rows.length;
    expect(nulls).toBeGreaterThan(0.18);
    expect(nulls).toBeLessThan(0.32);
    expect(new Set(rows.map((r) => r[1])).size).toBe(11);
  });

  it('gives every row the same values whatever the parallelism and batching', async () => {
    const sortById = (rows: unknown[][]) => rows.sort((a, b) => (a[0] as number) - (b[0] as number));
    const one = await readSource(datagen(options));
    expect(sortById(await readSource(datagen(options, 3)))).toEqual(one);
    expect(await readSource(datagen(options))).toEqual(one);
  });

  it('ends with the shortest sequence even before number-of-rows, and is unbounded with neither', async () => {
    const short = datagen({ ...options, 'fields.id.end': '109' });
    expect(await readSource(short)).toHaveLength(10);
    const endless = datagen({ 'fields.label.length': '3' });
    expect(endless.bounded).toBe(false);
    const [split] = await endless.enumerateSplits();
    expect(endless.createReader(split!).readSync!(5000)!.status).toBe('more');
  });

  it('writes a STRING sequence as text', async () => {
    const source = createDatagenSource(
      new ConnectorOptions('datagen', { 'fields.s.kind': 'sequence', 'fields.s.start': '7', 'fields.s.end': '9' }),
      appendSchema([{ name: 's', type: STRING, nullable: false }]),
      { parallelism: 2 },
    );
    expect((await readSource(source)).flat().sort()).toEqual(['7', '8', '9']);
  });
});
