// The benchmark's hand-written loops must compute what the queries compute, or its ratio compares different work.
import { describe, expect, it } from 'vitest';
import { BASELINES } from '../../bench/nexmark/baselines.js';
import { NEXMARK_QUERIES } from '../../bench/nexmark/queries.js';
import { TEST_SIZE, rowLines, testEvents } from './query-harness.js';
import { REFERENCES } from './reference/index.js';

describe('benchmark baselines', () => {
  it.each(NEXMARK_QUERIES)('the hand-written %s gives the reference result', (query) => {
    const rows: unknown[][] = [];
    BASELINES[query](TEST_SIZE.events, TEST_SIZE.rate, (row) => rows.push([...row]));
    expect(rowLines(rows)).toEqual(rowLines(REFERENCES[query](testEvents())));
  });
});
