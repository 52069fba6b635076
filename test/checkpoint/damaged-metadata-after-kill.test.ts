import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../run/run-in-process.js';
import { spawnSluice } from '../run/spawn-sluice.js';

/** A paced, bounded pipeline that checkpoints every 100 ms: it is killed while it runs. */
const PIPE = `
SET 'pipeline.name' = 'paced';
SET 'execution.checkpointing.interval' = '100 ms';
SET 'state.backend' = 'fs';
SET 'state.checkpoints.dir' = '{dir}/checkpoints';
SET 'state.checkpoints.num-retained' = '3';
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3000', 'rows-per-second' = '1000', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-killed-meta-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a real process killed with SIGKILL, then the _metadata of its newest checkpoint deleted', () => {
  it('is resumed from the checkpoint before, with a skipped line for the deleted one and none for what the kill left incomplete', async () => {
    fs.writeFileSync(path.join(dir, 'job.pipe'), PIPE.replace('{dir}', dir));
    const jobDir = path.join(dir, 'checkpoints', 'paced');
    const completed = () =>
      (fs.existsSync(jobDir) ? fs.readdirSync(jobDir) : [])
        .filter((name) => name.startsWith('chk-') && fs.existsSync(path.join(jobDir, name, '_completed')))
        .map((name) => Number(name.slice(4)))
        .sort((a, b) => a - b);

    const first = spawnSluice(['run', 'job.pipe'], dir);
    // Starting the command line from TypeScript sources took 12 s at a load average of 17, and more than 20 s above it.
    await until(() => completed().length >= 2, 120_000);
    first.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');

    const ids = completed();
    const newest = ids[ids.length - 1]!;
    const previous = ids[ids.length - 2]!;
    const metadata = path.join(jobDir, `chk-${newest}`, '_metadata');
    fs.rmSync(metadata);

    const resumed = spawnSluice(['run', 'job.pipe', '--resume'], dir);
    const exit = await resumed.exit;
    expect(resumed.stderr()).not.toMatch(/^error/m);
    expect(exit.code).toBe(0);
    const lines = resumed.stderr().split('\n').filter((line) => /^(restored from|nothing to resume|\s+skipped)/.test(line));
    expect(lines).toEqual([
      `restored from checkpoint ${previous} at ${path.join(jobDir, `chk-${previous}`)}`,
      `  skipped chk-${newest}: ${metadata} is missing, yet the checkpoint completed (_completed is there): it was deleted`,
    ]);
  }, 240_000);
});
