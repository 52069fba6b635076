import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_OWNER_FILE, LockOwnerSchema } from '../../runtime/locks/lock-owner.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { until } from '../run/run-in-process.js';
import { spawnSluice, type SluiceProcess } from '../run/spawn-sluice.js';

/** Ids 1, 2, 3, … at a walking pace into an exactly-once file sink, checkpointed every 200 ms: runs until stopped. */
const PIPE = `
SET 'pipeline.name' = 'twice';
SET 'execution.checkpointing.interval' = '200ms';
SET 'state.backend.type' = 'fs';
SET 'state.checkpoints.dir' = 'checkpoints';
SET 'restart-strategy.type' = 'none';
CREATE SOURCE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '500',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000000') UID 'ticks';
CREATE SINK out WITH ('connector' = 'file', 'path' = 'out', 'format' = 'jsonl') UID 'out';
INSERT INTO out FROM ticks;
`;

/** The ids in the committed part files, in order. */
function committedIds(dir: string): number[] {
  const out = path.join(dir, 'out');
  if (!fs.existsSync(out)) return [];
  return fs
    .readdirSync(out)
    .filter((name) => name.startsWith('part-'))
    .flatMap((name) => fs.readFileSync(path.join(out, name), 'utf8').trim().split('\n'))
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: number }).id)
    .sort((a, b) => a - b);
}

const processes: SluiceProcess[] = [];
afterEach(async () => {
  // A failed assertion leaves children running: end them before the temporary directory goes.
  for (const child of processes.splice(0)) {
    child.kill('SIGKILL');
    await child.exit;
  }
});

describe('two `sluice run --resume` of one pipeline at once', () => {
  it('refuses the second (SLC9130, naming the first), and after SIGKILL of the first the next one takes over at once', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'twice.pipe'), PIPE);
    const ownerFile = path.join(dir, 'checkpoints', 'twice', LOCK_OWNER_FILE);

    const first = spawnSluice(['run', 'twice.pipe', '--resume', '--quiet'], dir);
    processes.push(first);
    await until(() => fs.existsSync(ownerFile) && committedIds(dir).length > 0, 120_000);
    const owner = LockOwnerSchema.parse(JSON.parse(fs.readFileSync(ownerFile, 'utf8')));
    expect(owner).toMatchObject({ pid: first.pid, host: os.hostname(), job: 'twice' });

    const second = spawnSluice(['run', 'twice.pipe', '--resume', '--quiet'], dir);
    processes.push(second);
    expect((await second.exit).code).toBe(2);
    expect(second.stderr()).toContain(
      `error[SLC9130]: the checkpoint directory '${path.join(fs.realpathSync(dir), 'checkpoints', 'twice')}' is in use by job 'twice' (id ${owner.jobId}, pid ${first.pid} on host ${os.hostname()}, since `,
    );
    expect(second.stderr()).toContain(`sluice stop ${owner.jobId}`);
    expect(second.stderr()).not.toMatch(/\n\s+at /);
    expect(second.stdout()).toBe('');

    first.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const atKill = committedIds(dir);
    const third = spawnSluice(['run', 'twice.pipe', '--resume'], dir);
    processes.push(third);
    await until(() => third.stderr().includes("running 'twice' as job") || third.stderr().includes('error'), 120_000);
    expect(third.stderr()).not.toContain('SLC9130');
    // The third commits on from where the first's last checkpoint left off (from scratch, ids would repeat).
    await until(() => committedIds(dir).length > atKill.length, 120_000);
    third.kill('SIGTERM');
    expect((await third.exit).code).toBe(143);

    const ids = committedIds(dir);
    expect(ids.length).toBeGreaterThan(atKill.length);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  }, 300_000);
});
