import { afterEach, describe, expect, it } from 'vitest';
import { changelogLines } from '../changelog.js';
import type { OperatorHarness } from '../operator-harness.js';
import { closeJoins, emittedBy, openJoin, s } from './join-fixtures.js';

/**
 * An inner regular join whose right side (orders) is unique by the join key (PRIMARY KEY (id) NOT ENFORCED):
 * payments (left) are kept only while their order has not arrived (compiler/plan/plan-join.ts `uniqueInputs`).
 */
const program = (orderKey: string): string => `
CREATE SOURCE payments (order_id BIGINT, paid BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'datagen') UID 'payments';
CREATE SOURCE orders (id BIGINT, customer STRING, ts TIMESTAMP(3)${orderKey}) WITH ('connector' = 'datagen') UID 'orders';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM payments AS p |> JOIN orders AS o ON p.order_id = o.id AND p.paid > 0 UID 'j';`;
const UNIQUE = program(', PRIMARY KEY (id) NOT ENFORCED');
const PLAIN = program('');

afterEach(closeJoins);

/** The stored rows of each side, as [state, row] pairs sorted by their text (entries come in key-group order). */
async function stored(j: OperatorHarness): Promise<[string, unknown][]> {
  const pairs = (await j.keyedEntries()).flatMap((e) => (e.value as unknown[]).map((row): [string, unknown] => [e.state, row]));
  return pairs.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

describe('a regular join with a unique side', () => {
  it('joins a payment with its stored order without keeping it; an order joins the payments before it and drops them', async () => {
    const j = await openJoin(UNIQUE, 'join');
    j.process([[1, 10, s(1)], [1, 0, s(1)], [2, 20, s(1)]], 0);
    expect(await stored(j)).toEqual([
      ['left-rows', [1, 0, 1000]],
      ['left-rows', [1, 10, 1000]],
      ['left-rows', [2, 20, 1000]],
    ]);
    // The order joins both payments of its key (the residual rejects the second) and drops them: no other order 1 comes.
    expect(emittedBy(j, () => j.process([[1, 'a', s(2)]], 1))).toEqual(['+I [1,10,1000,1,"a",2000]']);
    expect(await stored(j)).toEqual([
      ['left-rows', [2, 20, 1000]],
      ['right-rows', [1, 'a', 2000]],
    ]);
    // A later payment of order 1 finds it and is joined, not kept.
    expect(emittedBy(j, () => j.process([[1, 30, s(3)], [3, 40, s(3)]], 0))).toEqual(['+I [1,30,3000,1,"a",2000]']);
    expect((await stored(j)).filter(([state]) => state === 'left-rows')).toEqual([
      ['left-rows', [2, 20, 1000]],
      ['left-rows', [3, 40, 3000]],
    ]);
  });

  it('emits exactly what the join without the key emits, on random arrivals of unique orders and their payments', async () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const orders = Array.from({ length: 12 }, (_, id) => [id, `c${id}`, s(id)]);
      const payments = Array.from({ length: 60 }, (_, i) => [random(15), random(5), s(i)]);
      // Interleave the two inputs in random batches, each input in its own order.
      const steps: [unknown[][], number][] = [];
      let o = 0;
      let p = 0;
      while (o < orders.length || p < payments.length) {
        const input = p >= payments.length || (o < orders.length && random(3) === 0) ? 1 : 0;
        const rows = input === 1 ? orders.slice(o, (o += 1 + random(3))) : payments.slice(p, (p += 1 + random(6)));
        steps.push([rows, input]);
      }
      const outputs: string[][] = [];
      for (const text of [PLAIN, UNIQUE]) {
        const j = await openJoin(text, 'join');
        for (const [rows, input] of steps) j.process(rows, input);
        outputs.push(changelogLines(j.output).sort());
        if (text === UNIQUE) {
          // Kept: every order, and only the payments whose order never arrived (ids 12-14).
          const kept = await stored(j);
          expect(kept.filter(([state]) => state === 'right-rows')).toHaveLength(orders.length);
          expect(kept.filter(([state]) => state === 'left-rows').every(([, row]) => ((row as number[])[0] as number) >= 12)).toBe(true);
        }
      }
      expect(outputs[1]).toEqual(outputs[0]);
      expect(outputs[0]!.length).toBeGreaterThan(0);
    }
  });
});
