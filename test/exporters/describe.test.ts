import { describe, expect, it } from 'vitest';
import { describeOperator, describeState, formatDuration } from '../../compiler/exporters/describe.js';
import type { OperatorSpec, StateDescriptor } from '../../compiler/graph/job-graph.js';
import { BIGINT_FIELD, column, makeOperator } from '../graph/sample-graph.js';

const describeSpec = (spec: OperatorSpec, inputs = 1) => {
  const op = makeOperator('op', spec);
  return describeOperator({ ...op, inputs: Array.from({ length: inputs }, () => op.output) });
};

describe('describeOperator', () => {
  it('names what each kind of operator does', () => {
    expect(describeSpec({ kind: 'source', connector: 'datagen', options: {} })).toBe('datagen');
    expect(describeSpec({ kind: 'source', connector: 'file', options: { path: 'in/', format: 'csv' } })).toBe('file(in/)');
    expect(describeSpec({ kind: 'sink', connector: 'print', options: {} })).toBe('print');
    expect(describeSpec({ kind: 'window_assign', window: { type: 'tumble', timeIndex: 2, sizeMs: 60_000 } })).toBe('TUMBLE(1 min)');
    expect(describeSpec({ kind: 'union' }, 3)).toBe('ALL of 3 inputs');
    expect(describeSpec({ kind: 'deduplicate', keys: [column(0, 'auction')], keep: 'last' })).toBe('BY auction KEEP LAST');
    expect(describeSpec({ kind: 'process', function: 'enrich', args: [column(1, 'price')], keys: [column(0, 'auction')] })).toBe(
      'enrich(price) PARTITION BY auction',
    );
    expect(describeSpec({ kind: 'group_aggregate', keys: [], aggregates: [{ function: 'COUNT', args: [column(0, 'auction')], distinct: true, name: 'n', resultType: { name: 'BIGINT' }, nullable: false }] })).toBe(
      'COUNT(DISTINCT auction) AS n',
    );
  });

  it('spells join conditions over both inputs, interval bounds relative to the left time', () => {
    const keys = { leftKeys: [column(0, 'auction')], rightKeys: [column(0, 'auction')] };
    expect(describeSpec({ kind: 'join', joinType: 'left', ...keys, residual: { op: 'call', fn: '>', args: [column(1, 'price'), column(4, 'price')], type: { name: 'BOOLEAN' }, nullable: false } }, 2)).toBe(
      'left ON auction = auction AND price > price',
    );
    expect(describeSpec({ kind: 'interval_join', joinType: 'inner', ...keys, leftTimeIndex: 2, rightTimeIndex: 2, lowerMs: -3_600_000, upperMs: 0 }, 2)).toBe(
      'inner ON auction = auction, date_time BETWEEN date_time - 1 h AND date_time',
    );
  });
});

describe('describeState', () => {
  const base: StateDescriptor = { name: 's', scope: 'keyed', kind: 'value', valueType: [], description: '' };

  it('says scope, kind and key', () => {
    expect(describeState({ ...base, keyType: [BIGINT_FIELD('a'), { name: 'b', type: { name: 'STRING' }, nullable: true }] })).toBe('s (keyed value, key (BIGINT, STRING))');
    expect(describeState({ ...base, kind: 'reducing', keyType: [] })).toBe('s (keyed reducing, global)');
    expect(describeState({ ...base, scope: 'operator', kind: 'list', redistribution: 'union' })).toBe('s (operator union list)');
  });
});

describe('formatDuration', () => {
  it('uses the largest unit that divides', () => {
    expect([0, 500, 1_000, 90_000, 7_200_000, 86_400_000].map(formatDuration)).toEqual(['0 ms', '500 ms', '1 s', '90 s', '2 h', '1 d']);
  });
});
