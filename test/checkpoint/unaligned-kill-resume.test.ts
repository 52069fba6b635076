import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { committedJsonRows } from './committed-output.js';
import { runWithKills, seededRandom } from './chaos-harness.js';
import { completedCheckpoints } from './fault-matrix-harness.js';
import { tempDir } from './state-fixtures.js';

/**
 * Unaligned checkpoints under back-pressure, through a real SIGKILL: two file splits feed a keyed step whose chain
 * is slowed by a busy UDF, so channels stay full; the run is killed right after a checkpoint completed unaligned
 * with records in flight, and resumed from it — at the same parallelism, and at another one (the in-flight records
 * of the keyed edge are partitioned again by key) — and killed at random moments, several times, as the chaos test
 * does (SLUICE_SOAK=1 kills more often; SLUICE_CHAOS_SEED replays a run). The committed output must be exactly the
 * input, once.
 */
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run-slow-pipe-process.ts');
/**
 * Rows of input: enough to keep the sources back-pressured while checkpoints are taken. In worker threads the
 * sources start later and the rings between threads take more batches before a source waits, so that variant
 * needs more (with 24,000 rows the sources were done before a checkpoint found a record in flight).
 */
const ROWS = 24_000;
const WORKER_ROWS = 96_000;
/**
 * Rows of the random-kill variant: `slow` alone busies its thread (the main thread: it is a closure) for 2.4 s,
 * longer than the window the kills fall in, so the first run cannot be done before its kill in either mode.
 */
const RANDOM_KILL_ROWS = 48_000;
const KILL_WINDOW_MS = 2_000;
const SOAK = process.env['SLUICE_SOAK'] === '1';
const SEED = Number(process.env['SLUICE_CHAOS_SEED'] ?? Date.now() % 1_000_000);
const TIMEOUT_MS = SOAK ? 900_000 : 180_000;

interface CheckpointEvent {
  readonly event: 'checkpoint';
  readonly checkpointId: number;
  readonly final: boolean;
  readonly unaligned: boolean;
  readonly inFlightBytes: number;
}

/** Runs the pipe in a child process; kills it (SIGKILL) at the first reported event `killAt` accepts. */
function run(pipeFile: string, resume: boolean, workers: boolean, killAt: (event: CheckpointEvent) => boolean = () => false) {
  return new Promise<{ killed: boolean; code: number | null; events: Record<string, unknown>[]; stderr: string }>((resolve, reject) => {
    // Said either way: worker threads are the default at parallelism above 1, so the in-process variants must turn them off.
    const env = { ...process.env, SLUICE_WORKERS: workers ? '1' : '0' };
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, pipeFile, ...(resume ? ['--resume'] : [])], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const events: Record<string, unknown>[] = [];
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (!killed && event['event'] === 'checkpoint' && killAt(event as unknown as CheckpointEvent)) killed = child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ killed: killed && code === null, code, events, stderr }));
  });
}

function writePipe(dir: string, parallelism: number): string {
  const pipeFile = path.join(dir, 'job.pipe');
  fs.writeFileSync(
    pipeFile,
    `SET 'execution.checkpointing.interval' = '200 ms';
     SET 'execution.checkpointing.unaligned.enabled' = 'true';
     SET 'state.checkpoints.dir' = '${path.join(dir, 'checkpoints')}';
     SET 'restart-strategy.type' = 'none';
     SET 'parallelism.default' = '${parallelism}';
     CREATE SOURCE numbers (n BIGINT NOT NULL) WITH ('connector' = 'file', 'path' = '${path.join(dir, 'in')}/', 'format' = 'jsonl', 'mode' = 'bounded') UID 'numbers';
     CREATE SINK out WITH ('connector' = 'file', 'path' = '${path.join(dir, 'out')}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';
     INSERT INTO out FROM numbers |> DEDUPLICATE BY n UID 'first-n' |> SELECT slow(n) AS n;`,
  );
  return pipeFile;
}

function writeInput(dir: string, total = ROWS): void {
  fs.mkdirSync(path.join(dir, 'in'));
  for (const split of [0, 1]) {
    const rows = Array.from({ length: total / 2 }, (_, i) => JSON.stringify({ n: split * (total / 2) + i }));
    fs.writeFileSync(path.join(dir, 'in', `part-${split}.jsonl`), `${rows.join('\n')}\n`);
  }
}

const committedNumbers = (dir: string) =>
  committedJsonRows(path.join(dir, 'out'))
    .map((row) => row['n'] as number)
    .sort((a, b) => a - b);

describe('an unaligned checkpoint taken under back-pressure, killed and resumed', () => {
  // In worker threads the sources run in slots and the chain calling `slow` (a closure) on the main thread, so the
  // records in flight of the keyed edge between them cross threads, and are replayed into thread channels.
  it.each([
    ['at the same parallelism', 2, 2, false],
    ['at another parallelism', 2, 3, false],
    ['in worker threads, at the same parallelism', 2, 2, true],
    ['in worker threads, at another parallelism', 2, 3, true],
  ])(
    'replays its records in flight: the committed output is exactly the input (%s)',
    async (_name, parallelism, resumedParallelism, workers) => {
      const dir = tempDir();
      const rows = workers ? WORKER_ROWS : ROWS;
      writeInput(dir, rows);
      const first = await run(writePipe(dir, parallelism), false, workers, (c) => !c.final && c.unaligned && c.inFlightBytes > 0);
      expect(first.killed, `${first.stderr}\n${first.events.map((e) => JSON.stringify(e)).join('\n')}`).toBe(true);

      // The newest checkpoint left holds records in flight, recorded apart from operator state: only their replay keeps them.
      const newest = completedCheckpoints(path.join(dir, 'checkpoints', 'test'))[0]!;
      const opened = await openCheckpoint(path.join(dir, 'checkpoints', 'test', `chk-${newest}`));
      if (!('checkpoint' in opened)) throw new Error(opened.error);
      const { metadata } = opened.checkpoint;
      expect(metadata.unaligned).toBe(true);
      expect(metadata.channelState.reduce((sum, file) => sum + file.records, 0)).toBeGreaterThan(0);

      const second = await run(writePipe(dir, resumedParallelism), true, workers);
      expect(second.code, second.stderr).toBe(0);
      expect(second.events[0]!['restore']).toMatchObject({ kind: 'restored', checkpointId: newest });
      // The restoring attempt ran its sources in worker threads (it used to fall back to running in-process).
      const slots = second.events.find((event) => event['event'] === 'finished')!['slots'] as (number | null)[];
      if (workers) expect(slots.filter((slot) => slot !== null).length).toBeGreaterThan(0);
      else expect(slots).toEqual([null]);

      expect(committedNumbers(dir)).toEqual(Array.from({ length: rows }, (_, i) => i));
    },
    TIMEOUT_MS,
  );

  it(
    `survives SIGKILLs at random moments, resumed until the input is done (seed ${SEED})`,
    async () => {
      const dir = tempDir();
      writeInput(dir, RANDOM_KILL_ROWS);
      const run = await runWithKills(writePipe(dir, 2), { kills: SOAK ? 8 : 2, killWindowMs: KILL_WINDOW_MS, random: seededRandom(SEED), runner: RUNNER });
      expect(run.kills).toBeGreaterThan(0);
      expect(committedNumbers(dir)).toEqual(Array.from({ length: RANDOM_KILL_ROWS }, (_, i) => i));
    },
    TIMEOUT_MS,
  );
});
