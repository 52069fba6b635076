import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

/**
 * A bounded, paced Nexmark bid stream counted per auction and one-second window into an exactly-once file sink.
 * The "new" version adds a stateless WHERE after the aggregate: a compatible change, restorable by uid.
 */
function bidsPerWindowPipe(sinkDir: string, version: 'old' | 'new'): string {
  return `
CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '60000', 'rows-per-second' = '20000', 'rate' = '2000') UID 'bid-source';

CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';

INSERT INTO out
FROM bid
|> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND)
|> AGGREGATE COUNT(*) AS bids, MAX(price) AS top GROUP BY auction, window_start, window_end UID 'bids-per-window'
${version === 'new' ? '|> WHERE bids > 1' : ''}
|> SELECT auction, bids, top, window_start;
`;
}

function setUp(version: 'old' | 'new', parallelism: number, dir: string, sinkDir: string) {
  return compilePipe(bidsPerWindowPipe(sinkDir, version), {
    settings: {
      'parallelism.default': String(parallelism),
      'execution.checkpointing.interval': '20ms',
      'state.checkpoints.dir': path.join(dir, 'checkpoints'),
      'state.savepoints.dir': path.join(dir, 'savepoints'),
    },
  });
}

/** The new query run undisturbed from the start: what every rescaled run must commit. */
async function undisturbed(): Promise<string[]> {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'out');
  await (await Job.start(setUp('new', 2, dir, sinkDir), { batchSize: 8 })).done;
  return committedRows(sinkDir);
}

/**
 * The old query committed rows before the stop that the new one's WHERE drops, so the comparison is of what the
 * new query keeps: rows with bids > 1 committed before the stop plus everything committed after.
 */
const kept = (rows: string[]) => rows.filter((row) => (JSON.parse(row) as { bids: number }).bids > 1).sort();

/** Runs the old query at `from` subtasks, stops it with a savepoint midway, resumes the new query at `to`. */
async function rescaled(from: number, to: number): Promise<{ committedBeforeStop: number; rows: string[] }> {
  const dir = tempDir();
  const sinkDir = path.join(dir, 'out');
  const job = await Job.start(setUp('old', from, dir, sinkDir), { batchSize: 8 });
  // Midway: once some windows have fired and been committed, so output exists on both sides of the stop.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (committedRows(sinkDir).length === 0) return;
      job.off('checkpoint-completed', check);
      resolve();
    };
    job.on('checkpoint-completed', check);
  });
  const { savepointPath } = await job.stop({ savepoint: true });
  expect((await job.done).status).toBe('stopped');
  const committedBeforeStop = kept(committedRows(sinkDir)).length;

  const resumed = await Job.start(setUp('new', to, dir, sinkDir), { batchSize: 8, restoreFrom: savepointPath! });
  expect(resumed.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
  expect((await resumed.done).status).toBe('finished');
  return { committedBeforeStop, rows: committedRows(sinkDir) };
}

describe('rescaling a window aggregate through a savepoint', () => {
  let reference: string[];
  beforeAll(async () => {
    reference = await undisturbed();
  });

  it('2 → 3 subtasks: the old splits are dealt over the new subtasks and the output equals an undisturbed run', async () => {
    const run = await rescaled(2, 3);
    expect(reference.length).toBeGreaterThan(1000);
    expect(run.committedBeforeStop).toBeGreaterThan(0);
    expect(run.committedBeforeStop).toBeLessThan(reference.length);
    expect(kept(run.rows)).toEqual(reference);
  }, 20_000);

  it('3 → 1 subtask: one subtask reads all three old splits and the output equals an undisturbed run', async () => {
    const run = await rescaled(3, 1);
    expect(run.committedBeforeStop).toBeGreaterThan(0);
    expect(run.committedBeforeStop).toBeLessThan(reference.length);
    expect(kept(run.rows)).toEqual(reference);
  }, 20_000);
});
