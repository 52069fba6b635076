import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';

describe('a source that skips unparsable rows', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parse-errors-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('counts them in its metrics and passes the rest on', async () => {
    const file = join(dir, 'rows.jsonl');
    await writeFile(file, '{"n": 1}\nnot json\n{"n": "two"}\n{"n": 3}\n');
    const graph = compilePipe(`
      CREATE SOURCE s (n INT) WITH ('connector' = 'file', 'path' = '${file}', 'format.ignore-parse-errors' = 'true') UID 's';
      CREATE SINK k WITH ('connector' = 'blackhole') UID 'k';
      INSERT INTO k FROM s;`);
    const rows: unknown[][] = [];
    const job = await Job.start(graph, { sinks: { k: (batch) => rows.push(...batch.map((r) => [...r])) } });
    await job.done;
    expect(rows).toEqual([[1], [3]]);
    expect(job.metrics().operators.find((o) => o.uid === 's')?.parseErrorsSkipped).toBe(2);
  });
});
