import { describe, expect, it } from 'vitest';
import { runPipe } from '../run-pipe.js';

/**
 * One stream on both sides of a join, or on both inputs of a union: two edges from the same producer subtask to the
 * same consumer subtask. Each must be a channel of its own. When they shared one, the task took the next batch
 * of the channel for whichever input asked first; once it processed batches in slices (large batches, slow
 * steps) one input could ask twice in a row and get the other's copy: rows reached the wrong input, seen in the
 * output as missing and repeated pairs.
 */
const ROWS = 2000;
const KEYS = 50;
const rows = Array.from({ length: ROWS }, (_, i) => [i % KEYS, i]);

describe('a stream joined with itself', () => {
  it('sends every row once to each input, whatever slices the task cuts its batches into', async () => {
    const { sinks } = await runPipe(
      `CREATE SOURCE s (k BIGINT, id BIGINT) WITH ('connector' = 'datagen') UID 's';
       CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
       INSERT INTO out FROM s |> JOIN s AS t ON s.k = t.k UID 'self' |> SELECT s.id AS l, t.id AS r;`,
      // Batches of 64 rows: the join's work per batch grows with the rows stored, and it soon slices them.
      { sources: { s: rows }, job: { batchSize: 64 } },
    );
    const seen = new Map<number, number>();
    let wrongKey = 0;
    for (const [l, r] of sinks['out']!.rows as [number, number][]) {
      if (l % KEYS !== r % KEYS) wrongKey++;
      seen.set(l * ROWS + r, (seen.get(l * ROWS + r) ?? 0) + 1);
    }
    expect(wrongKey).toBe(0);
    // Every pair of rows of one key once: (ROWS / KEYS)² pairs per key.
    expect(seen.size).toBe(ROWS * (ROWS / KEYS));
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
  });

  it('a union of a stream with itself has every row twice', async () => {
    const { sinks } = await runPipe(
      `CREATE SOURCE s (k BIGINT, id BIGINT) WITH ('connector' = 'datagen') UID 's';
       CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
       INSERT INTO out FROM s |> WHERE k >= 0 |> UNION ALL s |> AGGREGATE COUNT(*) AS n GROUP BY id UID 'count';`,
      { sources: { s: rows }, job: { batchSize: 64 } },
    );
    const last = new Map<number, number>();
    for (const [id, n] of sinks['out']!.rows) last.set(id as number, n as number);
    expect(last.size).toBe(ROWS);
    expect([...last.values()].every((n) => n === 2)).toBe(true);
  });
});
