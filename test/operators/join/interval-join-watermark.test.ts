import { describe, expect, it } from 'vitest';
import { runPipe } from '../run-pipe.js';

const PROGRAM = `
  CREATE SOURCE l (k INT, t TIMESTAMP(3), WATERMARK FOR t AS t) WITH ('connector' = 'datagen') UID 'l';
  CREATE SOURCE r (k INT, t TIMESTAMP(3), WATERMARK FOR t AS t) WITH ('connector' = 'datagen') UID 'r';
  CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
  INSERT INTO out
  FROM l
  |> JOIN r ON l.k = r.k AND r.t BETWEEN l.t AND l.t + INTERVAL '5' SECOND UID 'j'
  |> SELECT l.k AS k, l.t AS t
  |> WINDOW TUMBLE(t, INTERVAL '1' SECOND)
  |> AGGREGATE COUNT(*) AS n GROUP BY window_start, window_end UID 'w';`;

describe('an interval join feeding an event-time window', () => {
  it('holds its output watermark back by the upper bound, so joined rows timed by the left row are not late', async () => {
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    async function* left(): AsyncGenerator<unknown[]> {
      yield [1, 1_000];
      yield [2, 6_000];
    }
    // The right side first moves the join's watermark to 5.4 s, then a row at 5.5 s meets the left row of 1 s:
    // the joined row is timed 1 s, behind the 5.4 s watermark the join saw.
    async function* right(): AsyncGenerator<unknown[]> {
      yield [9, 5_400];
      await pause(300);
      yield [1, 5_500];
    }
    const run = await runPipe(PROGRAM, { sources: { l: left(), r: right() }, job: { batchSize: 1 } });
    expect(run.sinks['out']!.rows).toEqual([[1_000, 2_000, 1]]);
    expect(run.result.metrics.operators.find((o) => o.uid === 'w')?.lateRowsDropped).toBe(0);
  });
});
