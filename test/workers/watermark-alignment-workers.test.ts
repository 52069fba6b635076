import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';
import { useWorkers } from './worker-run.js';

useWorkers();

const ALIGNED = ", 'scan.watermark.alignment.group' = 'g', 'scan.watermark.alignment.max-drift' = '1 s'";

/** Nexmark q8 with one-second windows, sources aligned or not; the sink is read by callback (on the main thread). */
function q8(aligned: boolean): string {
  const source = (table: string) => `'connector' = 'nexmark', 'table' = '${table}', 'events' = '50000'${aligned ? ALIGNED : ''}`;
  return `
    CREATE SOURCE person (id BIGINT, name STRING, date_time TIMESTAMP(3), WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
      WITH (${source('person')}) UID 'person-source';
    CREATE SOURCE auction (seller BIGINT, date_time TIMESTAMP(3), WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
      WITH (${source('auction')}) UID 'auction-source';
    CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
    CREATE VIEW persons AS FROM person |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
      |> AGGREGATE COUNT(*) AS n GROUP BY id, name, window_start, window_end UID 'persons';
    CREATE VIEW sellers AS FROM auction |> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
      |> AGGREGATE COUNT(*) AS a GROUP BY seller, window_start, window_end UID 'sellers';
    INSERT INTO out
    FROM persons AS p
    |> JOIN sellers AS s ON p.id = s.seller AND p.window_start = s.window_start AND p.window_end = s.window_end UID 'join'
    |> SELECT p.id, p.name, s.a, p.window_start;`;
}

async function run(aligned: boolean, parallelism: number) {
  const rows: string[] = [];
  const job = await Job.start(compilePipe(q8(aligned), {}, parallelism), { batchSize: 64, sinks: { out: (batch) => void rows.push(...batch.map((r) => JSON.stringify(r))) } });
  const result = await job.done;
  return { rows: rows.sort(), result };
}

describe('watermark alignment of sources in worker threads', () => {
  it('connects them to the coordinator on the main thread by message: same output, pauses reported', async () => {
    const reference = await run(false, 1);
    expect(reference.rows.length).toBeGreaterThan(100);
    const aligned = await run(true, 2);
    expect(aligned.rows).toEqual(reference.rows);
    const person = aligned.result.metrics.operators.find((o) => o.uid === 'person-source')!;
    expect(person.alignmentPausedMs).not.toBeNull();
  });
});
