import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { Job } from '../../runtime/execution/job.js';
import { LOCK_OWNER_FILE } from '../../runtime/locks/lock-owner.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';

/** An endless, throttled pipeline with checkpoints and a file sink, under `dir`. */
function endless(dir: string, options: { name?: string; sink?: string; secondSink?: string } = {}): string {
  const name = options.name ?? 'locked';
  const sinks = [options.sink ?? 'out', ...(options.secondSink === undefined ? [] : [options.secondSink])];
  return [
    `SET 'pipeline.name' = '${name}';`,
    `SET 'execution.checkpointing.interval' = '1h';`,
    `SET 'state.backend.type' = 'fs';`,
    `SET 'state.checkpoints.dir' = '${path.join(dir, 'checkpoints')}';`,
    `CREATE SOURCE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100') UID 'ticks';`,
    ...sinks.map((sink, i) => `CREATE SINK s${i} WITH ('connector' = 'file', 'path' = '${path.join(dir, sink)}', 'format' = 'jsonl') UID 's${i}';`),
    ...sinks.map((_, i) => `INSERT INTO s${i} FROM ticks;`),
  ].join('\n');
}

async function refusal(start: Promise<Job>): Promise<DiagnosticError> {
  const error = await start.then(
    (job) => {
      void job.cancel();
      throw new Error('the second job started');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiagnosticError);
  return error as DiagnosticError;
}

describe('one job per directory, within one process', () => {
  it('refuses a second job on the same checkpoint directory, naming the first; takes it once the first ended', async () => {
    const dir = tempDir();
    const first = await Job.start(compilePipe(endless(dir)), { resume: true });
    const error = await refusal(Job.start(compilePipe(endless(dir, { sink: 'other' })), { resume: true }));
    expect(error.code).toBe('SLC9130');
    expect(error.message).toContain(`the checkpoint directory '${path.join(dir, 'checkpoints', 'locked')}' is in use by job 'locked'`);
    expect(error.message).toContain(`id ${first.jobId}, pid ${process.pid} on host ${os.hostname()}`);
    expect(error.message).toContain(`sluice stop ${first.jobId}`);
    // The refused job touched nothing: the sink directory it would have used was never made.
    expect(fs.existsSync(path.join(dir, 'other'))).toBe(false);
    await first.cancel();
    expect(fs.existsSync(path.join(dir, 'checkpoints', 'locked', LOCK_OWNER_FILE))).toBe(false);
    const third = await Job.start(compilePipe(endless(dir)), { resume: true });
    await third.cancel();
  });

  it('refuses a second job writing into the same file sink directory (SLC9131)', async () => {
    const dir = tempDir();
    const first = await Job.start(compilePipe(endless(dir, { name: 'a' })));
    try {
      const error = await refusal(Job.start(compilePipe(endless(dir, { name: 'b' }))));
      expect(error.code).toBe('SLC9131');
      expect(error.message).toContain(`the directory '${path.join(dir, 'out')}' of file sink 's0' is in use by job 'a' (id ${first.jobId}`);
    } finally {
      await first.cancel();
    }
  });

  it('locks no directory for a file sink read through a callback: it writes no files', async () => {
    const dir = tempDir();
    const first = await Job.start(compilePipe(endless(dir, { name: 'a' })), { sinks: { s0: () => undefined } });
    const second = await Job.start(compilePipe(endless(dir, { name: 'b' })));
    await Promise.all([first.cancel(), second.cancel()]);
  });

  it('refuses two sinks of one job writing into one directory', async () => {
    const dir = tempDir();
    const error = await refusal(Job.start(compilePipe(endless(dir, { secondSink: 'out' }))));
    expect(error.code).toBe('SLC9131');
    expect(error.message).toContain("is in use by file sink 's0' of this same job");
    // Every lock taken before the refusal was released: the same job starts with one sink.
    const job = await Job.start(compilePipe(endless(dir)));
    await job.cancel();
  });

  it('refuses a local state directory another job uses (SLC9132)', async () => {
    const dir = tempDir();
    const localStateDir = path.join(dir, 'state');
    const first = await Job.start(compilePipe(endless(dir, { name: 'a', sink: 'a' })), { localStateDir });
    try {
      const error = await refusal(Job.start(compilePipe(endless(dir, { name: 'b', sink: 'b' })), { localStateDir }));
      expect(error.code).toBe('SLC9132');
      expect(error.message).toContain(`the local state directory '${localStateDir}' is in use by job 'a'`);
    } finally {
      await first.cancel();
    }
  });

  it('refuses to start when a directory cannot be locked (SLC9133)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'checkpoints'), 'a file where the directory should be');
    const error = await refusal(Job.start(compilePipe(endless(dir))));
    expect(error.code).toBe('SLC9133');
    expect(error.message).toMatch(/^cannot lock the checkpoint directory '.*checkpoints\/locked': .*ENOTDIR/);
  });

  it('releases its locks when it fails', async () => {
    const dir = tempDir();
    const text = `SET 'restart-strategy.type' = 'none';\n${endless(dir)}`;
    const failing = await Job.start(compilePipe(text), {
      sinks: {
        s0: () => {
          throw new Error('sink broke');
        },
      },
    });
    await expect(failing.done).rejects.toThrow('sink broke');
    const next = await Job.start(compilePipe(endless(dir)));
    await next.cancel();
  });
});
