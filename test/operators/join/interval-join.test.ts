import { afterEach, describe, expect, it } from 'vitest';
import { Job } from '../../../runtime/execution/job.js';
import { changelogLines, sortRows } from '../changelog.js';
import type { StateEntry } from '../../../runtime/state/keyed-state-backend.js';
import { HeapKeyedStateBackend } from '../../../runtime/state/heap-backend.js';
import { keyedStateToText } from '../../../runtime/state/snapshot-format.js';
import { OperatorHarness } from '../operator-harness.js';
import { compilePipe } from '../run-pipe.js';
import { closeJoins, compiledJoin, emittedBy, joinProgram, openJoin, s } from './join-fixtures.js';

// Rows as the join sees them: orders (id, customer, amount, ts) on input 0, payments (order_id, paid, ts) on input 1.
// A payment joins an order when o.ts - 1 s <= p.ts <= o.ts + 5 s: lowerMs -1000, upperMs 5000.
const WITHIN = "o.id = p.order_id AND p.ts BETWEEN o.ts - INTERVAL '1' SECOND AND o.ts + INTERVAL '5' SECOND";

const open = (join: 'JOIN' | 'LEFT JOIN'): Promise<OperatorHarness> => openJoin(joinProgram(join, WITHIN), 'interval_join');

afterEach(closeJoins);

describe('interval join', () => {
  it('is planned from the BETWEEN bounds', () => {
    expect(compiledJoin(joinProgram('JOIN', WITHIN), 'interval_join').spec).toMatchObject({ lowerMs: -1000, upperMs: 5000 });
  });

  it('joins rows whose times are within the inclusive bounds, whichever side arrives first', async () => {
    const j = await open('JOIN');
    j.process([[1, 'a', 10, s(10)]], 0);
    expect(emittedBy(j, () => j.process([[1, 1, s(9) - 1], [1, 2, s(9)], [1, 3, s(15)], [1, 4, s(15) + 1], [2, 5, s(10)]], 1))).toEqual([
      '+I [1,"a",10,10000,1,2,9000]',
      '+I [1,"a",10,10000,1,3,15000]',
    ]);
    expect(emittedBy(j, () => j.process([[2, 'b', 20, s(5)], [2, 'c', 30, s(11)], [2, 'd', 40, s(11) + 1]], 0))).toEqual([
      '+I [2,"b",20,5000,2,5,10000]',
      '+I [2,"c",30,11000,2,5,10000]',
    ]);
  });

  it('joins rows that arrive in reverse time order while the watermark allows', async () => {
    const j = await open('JOIN');
    j.watermark(s(8));
    j.process([[1, 7, s(12)]], 1);
    expect(emittedBy(j, () => j.process([[1, 'first', 10, s(9)]], 0))).toEqual(['+I [1,"first",10,9000,1,7,12000]']);
    // Behind the watermark, yet the payment at 12 s is within 5 s of it and still in state.
    expect(emittedBy(j, () => j.process([[1, 'second', 20, s(7) + 500]], 0))).toEqual(['+I [1,"second",20,7500,1,7,12000]']);
    expect(j.host.metrics.lateRowsDropped).toBe(0);
  });

  it('drops and counts rows that arrive after the watermark passed their bound', async () => {
    const j = await open('JOIN');
    j.watermark(s(20));
    // Orders expire at ts + 5 s, payments at ts + 1 s.
    j.process([[1, 'expired', 1, s(15)], [1, 'kept', 2, s(15) + 1]], 0);
    j.process([[1, 10, s(19)], [1, 11, s(19) + 1]], 1);
    expect(changelogLines(j.output)).toEqual(['+I [1,"kept",2,15001,1,11,19001]']);
    expect(j.host.metrics.lateRowsDropped).toBe(2);
  });

  it('LEFT: pads an unmatched order when the watermark reaches ts + upper bound, and clears the state with timers', async () => {
    const j = await open('LEFT JOIN');
    j.process([[1, 'paid', 10, s(10)], [2, 'unpaid', 20, s(10)]], 0);
    j.process([[1, 5, s(12)]], 1);
    expect(changelogLines(j.output)).toEqual(['+I [1,"paid",10,10000,1,5,12000]']);
    const leftRows = (await j.keyedEntries()).filter((e) => e.state === 'left-rows');
    // Declared state: left rows by time, each with its `matched` flag after its columns.
    expect(leftRows.map((e) => [e.mapKey, e.value])).toEqual(
      expect.arrayContaining([
        [s(10), [[1, 'paid', 10, s(10), true]]],
        [s(10), [[2, 'unpaid', 20, s(10), false]]],
      ]),
    );
    expect(emittedBy(j, () => j.watermark(s(15) - 1))).toEqual([]);
    expect(emittedBy(j, () => j.watermark(s(15)))).toEqual(['+I [2,"unpaid",20,10000,null,null,null]']);
    // Forwarded held back by the 5 s upper bound: the padded row (timed 10 s) is not behind what downstream saw.
    expect(j.watermarks).toEqual([s(10) - 1, s(10)]);
    expect(await j.keyedEntries()).toEqual([]);
  });

  it('LEFT: pads rows with a NULL key or time at once and keeps no state for them', async () => {
    const j = await open('LEFT JOIN');
    expect(emittedBy(j, () => j.process([[null, 'no key', 1, s(1)], [3, 'no time', 2, null]], 0))).toEqual([
      '+I [null,"no key",1,1000,null,null,null]',
      '+I [3,"no time",2,null,null,null,null]',
    ]);
    j.process([[null, 1, s(1)], [3, 2, null]], 1);
    expect(await j.keyedEntries()).toEqual([]);
  });

  it('drops and counts, end to end, a row that reaches the join after the watermark passed its bound', async () => {
    let passed!: () => void;
    const watermarkPassed = new Promise<void>((resolve) => (passed = resolve));
    async function* orders() {
      yield [1, 'on time', 10, s(1)];
      yield [2, 'ahead', 20, s(30)];
      await watermarkPassed;
      yield [3, 'late', 30, s(0)];
    }
    async function* payments() {
      yield [2, 7, s(31)];
      await watermarkPassed;
      yield [9, 9, s(40)];
    }
    const rows: unknown[][] = [];
    const job = await Job.start(compilePipe(joinProgram('LEFT JOIN', WITHIN)), {
      sources: { orders: orders(), payments: payments() },
      sinks: {
        out: (batch) => {
          for (const row of batch) rows.push([...row]);
          // The first order padded proves the join's watermark passed 1 s + 5 s: an order at 0 s is now late.
          if (rows.some((row) => row[1] === 'on time')) passed();
        },
      },
      batchSize: 1,
    });
    const result = await job.done;
    expect(sortRows(rows)).toEqual([
      [1, 'on time', 10, s(1), null, null, null],
      [2, 'ahead', 20, s(30), 2, 7, s(31)],
    ]);
    expect(result.metrics.operators.find((m) => m.uid === 'j')!.lateRowsDropped).toBe(1);
  });
  it('expires rows by the expiry timers that snapshots of earlier versions hold, padding each row once', async () => {
    const j = await open('LEFT JOIN');
    j.process([[1, 'paid', 10, s(10)], [2, 'unpaid', 20, s(10)]], 0);
    j.process([[1, 5, s(12)]], 1);
    const entries = await j.keyedEntries();
    expect(entries.filter((e) => e.state.startsWith('__timers'))).toEqual([]);
    // Earlier versions kept an event-time timer per key, side and time: orders expire at ts + 5 s, payments at ts + 1 s.
    const timers = entries.map((e): StateEntry => {
      const left = e.state === 'left-rows';
      return { ...e, state: '__timers.event', namespace: left ? 'left' : 'right', mapKey: (e.mapKey as number) + (left ? 5000 : 1000), value: null };
    });
    const old = new HeapKeyedStateBackend('memory', 128, { start: 0, end: 127 });
    old.restore([...entries, ...timers]);
    const snapshot = old.snapshot();
    const restored = await OperatorHarness.open(compiledJoin(joinProgram('LEFT JOIN', WITHIN), 'interval_join'), {
      restore: { keyed: keyedStateToText(snapshot), operatorState: [] },
    });
    snapshot.release();
    restored.watermark(s(12));
    expect(emittedBy(restored, () => restored.watermark(s(15)))).toEqual(['+I [2,"unpaid",20,10000,null,null,null]']);
    expect(await restored.keyedEntries()).toEqual([]);
    expect(emittedBy(restored, () => restored.watermark(s(30)))).toEqual([]);
    await restored.close();
  });
});
