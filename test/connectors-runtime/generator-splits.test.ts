import { describe, expect, it } from 'vitest';
import { NEXMARK_TABLES } from '../../connectors/nexmark/tables.js';
import { createNexmarkSource } from '../../connectors/nexmark/source.js';
import { NexmarkGenerator } from '../../connectors/nexmark/generator.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SourceConnector, SplitReader } from '../../runtime/connectors/source-connector.js';
import { appendSchema, readAll } from './helpers.js';

function nexmark(options: Record<string, string>, parallelism: number, clock?: () => number): SourceConnector {
  const table = options['table'] as keyof typeof NEXMARK_TABLES;
  return createNexmarkSource(new ConnectorOptions('nexmark', options), appendSchema(NEXMARK_TABLES[table]), clock === undefined ? { parallelism } : { parallelism, clock });
}

async function readers(source: SourceConnector): Promise<SplitReader[]> {
  return (await source.enumerateSplits()).map((split) => source.createReader(split));
}

describe('nexmark splits', () => {
  it.each([1, 2, 3, 5])('with %i splits together produce exactly the events of the range', async (parallelism) => {
    const source = nexmark({ table: 'auction', events: '5000', 'first-event': '37' }, parallelism);
    const rows = (await Promise.all((await readers(source)).map((r) => readAll(r, 64)))).flat();
    const generator = new NexmarkGenerator(10_000);
    const expected = [];
    for (let n = 37; n < 5000; n++) if (n % 50 >= 1 && n % 50 < 4) expected.push(generator.auction(n));
    const byId = (a: unknown[], b: unknown[]) => (a[0] as number) - (b[0] as number);
    expect(rows.sort(byId)).toEqual(expected);
    expect(source.bounded).toBe(true);
  });

  it('interleave, so that each split is monotone in event time and the splits stay close', async () => {
    const [a, b] = await readers(nexmark({ table: 'bid', events: '100000' }, 2));
    const timeA = (await readAll(a!)).map((row) => row[5] as number);
    const timeB = (await readAll(b!)).map((row) => row[5] as number);
    expect(timeA.every((t, i) => i === 0 || t >= timeA[i - 1]!)).toBe(true);
    expect(timeA.length).toBe(timeB.length);
    expect(Math.max(...timeA.map((t, i) => Math.abs(t - timeB[i]!)))).toBeLessThanOrEqual(1);
  });

  it('continue identically from a recorded position', async () => {
    const source = nexmark({ table: 'bid', events: '20000' }, 3);
    const [split] = await source.enumerateSplits();
    const whole = await readAll(source.createReader(split!));
    const first = source.createReader(split!);
    const head = (await first.read(777)).rows;
    const position = first.position();
    expect(JSON.parse(JSON.stringify(position))).toEqual(position);
    const rest = await readAll(source.createReader(split!, position), 100);
    expect([...head, ...rest]).toEqual(whole);
  });

  it('are unbounded without events, and map the declared columns by name', async () => {
    const source = createNexmarkSource(
      new ConnectorOptions('nexmark', { table: 'person' }),
      appendSchema([NEXMARK_TABLES.person[5]!, NEXMARK_TABLES.person[0]!]),
      { parallelism: 1 },
    );
    expect(source.bounded).toBe(false);
    const [split] = await source.enumerateSplits();
    const result = source.createReader(split!).readSync!(3)!;
    expect(result.status).toBe('more');
    expect(result.rows.map((row) => row[1])).toEqual([1000, 1001, 1002]);
    expect(result.rows.every((row) => row.length === 2 && typeof row[0] === 'string')).toBe(true);
  });

  it('pace rows-per-second (events of all tables) by the injected clock, idle in between', async () => {
    let now = 1_000_000;
    const source = nexmark({ table: 'bid', 'rows-per-second': '1000' }, 2, () => now);
    const [split] = await source.enumerateSplits();
    const reader = source.createReader(split!);
    // 1000 events/s → 920 bid rows/s → 460 per split per second
    expect(reader.readSync!(100)!.rows).toHaveLength(1);
    const throttled = reader.readSync!(100)!;
    expect(throttled.status).toBe('idle');
    expect(throttled.retryAfterMs).toBeGreaterThan(0);
    now += 1000;
    expect(reader.readSync!(1000)!.rows).toHaveLength(460);
    expect(reader.readSync!(1000)!.status).toBe('idle');
  });
});
