import { afterEach, describe, expect, it } from 'vitest';
import { changelogLines } from '../changelog.js';
import type { OperatorHarness } from '../operator-harness.js';
import { closeJoins, compiledJoin, emittedBy, joinProgram, openJoin, s } from './join-fixtures.js';

// Rows as the join sees them: orders (id, customer, amount, ts) on input 0, payments (order_id, paid, ts) on input 1.

const open = (join: 'JOIN' | 'LEFT JOIN', condition = 'o.id = p.order_id'): Promise<OperatorHarness> => openJoin(joinProgram(join, condition), 'join');

afterEach(closeJoins);

describe('regular INNER join', () => {
  it('joins each row with the stored rows of its key on the other side, whichever side comes first', async () => {
    const j = await open('JOIN');
    expect(emittedBy(j, () => j.process([[1, 'a', 10, s(1)], [2, 'b', 20, s(1)]], 0))).toEqual([]);
    expect(emittedBy(j, () => j.process([[1, 100, s(2)], [3, 300, s(2)], [1, 101, s(2)]], 1))).toEqual([
      '+I [1,"a",10,1000,1,100,2000]',
      '+I [1,"a",10,1000,1,101,2000]',
    ]);
    expect(emittedBy(j, () => j.process([[3, 'c', 30, s(3)]], 0))).toEqual(['+I [3,"c",30,3000,3,300,2000]']);
    expect(j.output.kinds.every((k) => k === 0)).toBe(true);
  });

  it('never matches a NULL key, not even another NULL', async () => {
    const j = await open('JOIN');
    j.process([[null, 'a', 10, s(1)]], 0);
    j.process([[null, 100, s(2)]], 1);
    expect(j.output.rows).toEqual([]);
    expect((await j.keyedEntries()).length).toBe(0);
  });

  it('keeps only pairs whose residual condition over left then right columns is true (NULL is not)', async () => {
    const j = await open('JOIN', 'o.id = p.order_id AND p.paid >= o.amount');
    j.process([[1, 'cheap', 10, s(1)], [1, 'dear', 50, s(1)]], 0);
    expect(emittedBy(j, () => j.process([[1, 20, s(2)], [1, null, s(2)]], 1))).toEqual(['+I [1,"cheap",10,1000,1,20,2000]']);
  });

  it('fails naming the joined row when the residual condition fails to evaluate', async () => {
    const j = await open('JOIN', 'o.id = p.order_id AND o.amount / p.paid > 1');
    j.process([[1, 'a', 10, s(1)]], 0);
    expect(() => j.process([[1, 0, s(2)]], 1)).toThrow(/operator 'j'.*\n\s+row: \[1,"a",10,1000,1,0,2000\]/);
  });
});

describe('regular LEFT join', () => {
  it('emits an unmatched left row padded, retracts the padding (-D) at its first match only, for each occurrence', async () => {
    const j = await open('LEFT JOIN');
    const order = [1, 'a', 10, s(1)];
    expect(emittedBy(j, () => j.process([order, order], 0))).toEqual(['+I [1,"a",10,1000,null,null,null]', '+I [1,"a",10,1000,null,null,null]']);
    expect(emittedBy(j, () => j.process([[1, 100, s(2)]], 1))).toEqual([
      '-D [1,"a",10,1000,null,null,null]',
      '-D [1,"a",10,1000,null,null,null]',
      '+I [1,"a",10,1000,1,100,2000]',
      '+I [1,"a",10,1000,1,100,2000]',
    ]);
    expect(emittedBy(j, () => j.process([[1, 200, s(3)]], 1))).toEqual(['+I [1,"a",10,1000,1,200,3000]', '+I [1,"a",10,1000,1,200,3000]']);
    expect(emittedBy(j, () => j.process([order], 0))).toEqual(['+I [1,"a",10,1000,1,100,2000]', '+I [1,"a",10,1000,1,200,3000]']);
    // The declared state: one entry per distinct left row with [occurrences, matches].
    const leftRows = (await j.keyedEntries()).filter((e) => e.state === 'left-rows');
    expect(leftRows.map((e) => [e.mapKey, e.value])).toEqual([[order, [3, 2]]]);
  });

  it('does not pad a left row whose match is already stored, and counts a match only when the residual holds', async () => {
    const j = await open('LEFT JOIN', 'o.id = p.order_id AND p.paid >= o.amount');
    j.process([[1, 5, s(1)]], 1);
    expect(emittedBy(j, () => j.process([[1, 'cheap', 5, s(2)], [1, 'dear', 50, s(2)]], 0))).toEqual([
      '+I [1,"cheap",5,2000,1,5,1000]',
      '+I [1,"dear",50,2000,null,null,null]',
    ]);
    expect(emittedBy(j, () => j.process([[1, 49, s(3)]], 1))).toEqual(['+I [1,"cheap",5,2000,1,49,3000]']);
    expect(emittedBy(j, () => j.process([[1, 50, s(4)]], 1))).toEqual([
      '+I [1,"cheap",5,2000,1,50,4000]',
      '-D [1,"dear",50,2000,null,null,null]',
      '+I [1,"dear",50,2000,1,50,4000]',
    ]);
  });

  it('emits a NULL-keyed left row padded for good and keeps no state for NULL keys', async () => {
    const j = await open('LEFT JOIN');
    expect(emittedBy(j, () => j.process([[null, 'n', 1, s(1)]], 0))).toEqual(['+I [null,"n",1,1000,null,null,null]']);
    expect(emittedBy(j, () => j.process([[null, 7, s(2)]], 1))).toEqual([]);
    expect((await j.keyedEntries()).length).toBe(0);
  });

  it('is planned with an updating output, as its retractions need', () => {
    expect(compiledJoin(joinProgram('LEFT JOIN', 'o.id = p.order_id'), 'join').output.changelog).toBe('upsert');
    expect(compiledJoin(joinProgram('JOIN', 'o.id = p.order_id'), 'join').output.changelog).toBe('append');
  });
});
