import { expect, it } from 'vitest';
import { compileQuery, runQuery, type NexmarkQuery } from '../../bench/nexmark/queries.js';
import { RowKind } from '../../runtime/record-batch.js';
import { materialize } from '../operators/changelog.js';
import { generateEvents, type NexmarkEvents } from './reference/events.js';
import { REFERENCES } from './reference/index.js';

/**
 * Runs an example query on the nexmark source at parallelism 1 and 2 and compares what its sink received with the
 * reference's rows. 40,000 events at 400 events per second of event time span 100 s: ten 10 s tumbling windows
 * and fifty 2 s hop slides, small enough for the whole directory to run in well under a minute.
 */
export const TEST_SIZE = { events: 40_000, rate: 400 } as const;

let events: NexmarkEvents | undefined;

/** The test size's events, generated once per test file. */
export function testEvents(): NexmarkEvents {
  return (events ??= generateEvents(TEST_SIZE.events, TEST_SIZE.rate));
}

export interface QueryCheck {
  /** `append`: the output as a multiset of rows; `updating`: the table its changelog ends with. */
  readonly output: 'append' | 'updating';
  /** The reference must produce at least this many rows, so that a comparison of two empty results cannot pass. */
  readonly minRows: number;
}

/** A multiset of rows as sorted JSON lines: each row serialised once, and a failed comparison shows a line diff. */
export function rowLines(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) => JSON.stringify(row)).sort();
}

async function sinkLines(query: NexmarkQuery, parallelism: number, output: QueryCheck['output']): Promise<string[]> {
  const rows: unknown[][] = [];
  const kinds: RowKind[] = [];
  await runQuery(compileQuery(query, { ...TEST_SIZE, parallelism }), (batch, info) => {
    for (let i = 0; i < batch.length; i++) {
      rows.push([...batch[i]!]);
      kinds.push(info.kinds === undefined ? RowKind.INSERT : (info.kinds[i] as RowKind));
    }
  });
  if (output === 'updating') return rowLines(materialize({ rows, kinds }));
  expect(kinds.every((kind) => kind === RowKind.INSERT), `${query} should only insert`).toBe(true);
  return rowLines(rows);
}

/** Declares one test per parallelism comparing `query` with its reference (test/nexmark/reference/). */
export function itMatchesReference(query: NexmarkQuery, check: QueryCheck): void {
  it.each([1, 2])(`${query} at parallelism %i gives the reference's result`, async (parallelism) => {
    const expected = rowLines(REFERENCES[query](testEvents()));
    expect(expected.length).toBeGreaterThanOrEqual(check.minRows);
    expect(await sinkLines(query, parallelism, check.output)).toEqual(expected);
  });
}
