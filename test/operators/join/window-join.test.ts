import { afterEach, describe, expect, it } from 'vitest';
import { changelogLines, sortRows } from '../changelog.js';
import type { OperatorHarness } from '../operator-harness.js';
import { runPipe } from '../run-pipe.js';
import { closeJoins, emittedBy, openJoin, s, windowJoinProgram } from './join-fixtures.js';

// Rows as the join sees them, with their 10-second window: orders (id, customer, amount, ts, window_start,
// window_end) on input 0, payments (order_id, paid, ts, window_start, window_end) on input 1.
const W0 = [0, s(10)] as const;
const W1 = [s(10), s(20)] as const;

const open = (join: 'JOIN' | 'LEFT JOIN', residual = ''): Promise<OperatorHarness> => openJoin(windowJoinProgram(join, residual), 'window_join');

afterEach(closeJoins);

describe('window join', () => {
  it('joins the rows of a key and window when the watermark reaches the window end - 1, then clears them', async () => {
    const j = await open('JOIN');
    j.process([[1, 'a', 10, s(1), ...W0], [1, 'next window', 20, s(11), ...W1]], 0);
    j.process([[1, 100, s(9), ...W0], [2, 200, s(2), ...W0]], 1);
    expect(emittedBy(j, () => j.watermark(s(10) - 2))).toEqual([]);
    expect(emittedBy(j, () => j.watermark(s(10) - 1))).toEqual(['+I [1,"a",10,1000,0,10000,1,100,9000,0,10000]']);
    expect(j.watermarks).toEqual([s(10) - 2, s(10) - 1]);
    // Only the order of the next window is left, and that window's timer.
    expect((await j.keyedEntries()).map((e) => [e.state, e.mapKey])).toEqual([
      ['__timers.event', s(20) - 1],
      ['left-rows', [...W1]],
    ]);
    expect(emittedBy(j, () => j.watermark(Infinity))).toEqual([]);
    expect(await j.keyedEntries()).toEqual([]);
  });

  it('keeps a key\'s only row of a side and window as its fields packed in one array, several rows as a list', async () => {
    const j = await open('LEFT JOIN');
    j.process([[1, 'a', 10, s(1), ...W0], [2, 'c', 30, s(3), ...W0]], 0);
    // A second row of key 1's window turns its packed row into a list; so do several rows in one batch.
    j.process([[1, 'b', 20, s(2), ...W0]], 0);
    j.process([[1, 'd', 40, s(4), ...W0]], 0);
    j.process([[1, 100, s(5), ...W0]], 1);
    const rows = (await j.keyedEntries())
      .filter((e) => e.state !== '__timers.event')
      .map((e) => [e.state, e.key, e.mapKey, e.value])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    // Orders have 6 columns, payments 5: an entry of one row is [width, its fields…], of several the list of rows.
    expect(rows).toEqual([
      ['left-rows', '[1,0,10000]', [...W0], [[1, 'a', 10, s(1), ...W0], [1, 'b', 20, s(2), ...W0], [1, 'd', 40, s(4), ...W0]]],
      ['left-rows', '[2,0,10000]', [...W0], [6, 2, 'c', 30, s(3), ...W0]],
      ['right-rows', '[1,0,10000]', [...W0], [5, 1, 100, s(5), ...W0]],
    ]);
    expect(emittedBy(j, () => j.watermark(s(10) - 1)).sort()).toEqual([
      '+I [1,"a",10,1000,0,10000,1,100,5000,0,10000]',
      '+I [1,"b",20,2000,0,10000,1,100,5000,0,10000]',
      '+I [1,"d",40,4000,0,10000,1,100,5000,0,10000]',
      '+I [2,"c",30,3000,0,10000,null,null,null,null,null]',
    ]);
    expect(await j.keyedEntries()).toEqual([]);
  });

  it('applies the residual condition over left then right columns', async () => {
    const j = await open('JOIN', ' AND p.paid > o.amount');
    j.process([[1, 'cheap', 10, s(1), ...W0], [1, 'dear', 500, s(1), ...W0]], 0);
    j.process([[1, 100, s(2), ...W0]], 1);
    expect(emittedBy(j, () => j.watermark(Infinity))).toEqual(['+I [1,"cheap",10,1000,0,10000,1,100,2000,0,10000]']);
  });

  it('LEFT: pads the left rows of a window that joined nothing when it fires; NULL keys at once', async () => {
    const j = await open('LEFT JOIN');
    j.process([[1, 'paid', 10, s(1), ...W0], [2, 'unpaid', 20, s(2), ...W0], [null, 'no key', 0, s(3), ...W0]], 0);
    expect(changelogLines(j.output)).toEqual(['+I [null,"no key",0,3000,0,10000,null,null,null,null,null]']);
    j.process([[1, 100, s(3), ...W0], [3, 300, s(3), ...W0]], 1);
    j.watermark(s(10) - 1);
    expect(sortRows(j.output.rows)).toEqual([
      [1, 'paid', 10, s(1), ...W0, 1, 100, s(3), ...W0],
      [2, 'unpaid', 20, s(2), ...W0, null, null, null, null, null],
      [null, 'no key', 0, s(3), ...W0, null, null, null, null, null],
    ]);
  });

  it('drops and counts rows of windows that already fired', async () => {
    const j = await open('LEFT JOIN');
    j.watermark(s(10) - 1);
    j.process([[1, 'late', 10, s(9), ...W0], [1, 'on time', 20, s(10), ...W1]], 0);
    j.process([[1, 100, s(9), ...W0]], 1);
    expect(j.host.metrics.lateRowsDropped).toBe(2);
    expect(emittedBy(j, () => j.watermark(Infinity))).toEqual(['+I [1,"on time",20,10000,10000,20000,null,null,null,null,null]']);
  });

  it('fires every pending window at the end of input, end to end', async () => {
    const run = await runPipe(windowJoinProgram('LEFT JOIN'), {
      sources: { orders: [[1, 'a', 10, s(1)], [2, 'b', 20, s(25)]], payments: [[1, 100, s(5)], [2, 200, s(15)]] },
    });
    expect(sortRows(run.sinks['out']!.rows)).toEqual([
      [1, 'a', 10, s(1), ...W0, 1, 100, s(5), ...W0],
      [2, 'b', 20, s(25), s(20), s(30), null, null, null, null, null],
    ]);
  });
});
