import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A supervisor for chaos tests: starts the pipeline in a child process (fixtures/run-pipe-process.ts) with
 * resume semantics, kills it with SIGKILL at random moments, and starts it again until it exits on its own.
 */

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run-pipe-process.ts');

export interface ChaosRun {
  /** Runs that were killed (a run that ended before its kill time is not). */
  readonly kills: number;
  /** Where each run's state came from (its `restoreInfo`). */
  readonly starts: readonly unknown[];
  /** The slots the tasks of the run that finished ran in (null: the main thread). */
  readonly slots: readonly (number | null)[];
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildOutcome {
  readonly killed: boolean;
  readonly code: number | null;
  readonly start: unknown;
  /** From the `finished` report: the slots the tasks ran in. */
  readonly slots: readonly (number | null)[] | undefined;
  readonly stderr: string;
}

/**
 * One run: once the child reports `started`, it is killed `killAfterMs` later (undefined: never; 'checkpoint': as
 * soon as it reports its first completed checkpoint) — with `afterACheckpoint`, not before its first completed
 * checkpoint either. A run that ends by itself before then is fine.
 */
export function runChild(graphFile: string, killAfterMs: number | 'checkpoint' | undefined, afterACheckpoint = false, runner = RUNNER): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, graphFile, '--resume'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let start: unknown;
    let killed = false;
    /** The kill is due (`checkpoint` mode, or the timer ran out), waiting only for a completed checkpoint if required. */
    let killDue = killAfterMs === 'checkpoint';
    const killIfDue = () => {
      if (killed || !killDue) return;
      if ((killAfterMs === 'checkpoint' || afterACheckpoint) && !stdout.includes('{"event":"checkpoint"')) return;
      killed = child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      killIfDue();
      if (start !== undefined) return;
      const line = stdout.split('\n').find((l) => l.startsWith('{"event":"started"'));
      if (line === undefined) return;
      start = (JSON.parse(line) as { restore: unknown }).restore;
      if (typeof killAfterMs === 'number') {
        setTimeout(() => {
          killDue = true;
          killIfDue();
        }, killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const finished = stdout.split('\n').find((l) => l.startsWith('{"event":"finished"'));
      const slots = finished === undefined ? undefined : (JSON.parse(finished) as { slots: (number | null)[] }).slots;
      resolve({ killed: killed && code === null, code, start, slots, stderr });
    });
  });
}

/**
 * Runs the compiled pipeline in `graphFile` (job-graph JSON), killing it `kills` times at a random moment within
 * `killWindowMs` after it started, then lets it finish. Throws when a run fails on its own. The first kill also
 * waits for the run's first completed checkpoint, so that a later run restores even when a loaded machine is slow
 * to checkpoint.
 */
export async function runWithKills(
  graphFile: string,
  options: {
    kills: number;
    killWindowMs: number;
    random: () => number;
    /** Another runner taking the same arguments (fixtures/run-slow-pipe-process.ts runs a `.pipe` file). */
    runner?: string;
  },
): Promise<ChaosRun> {
  const starts: unknown[] = [];
  let kills = 0;
  for (let run = 0; ; run++) {
    const killAfter = kills < options.kills ? Math.round(options.random() * options.killWindowMs) : undefined;
    const outcome = await runChild(graphFile, killAfter, kills === 0, options.runner);
    starts.push(outcome.start);
    if (outcome.killed) {
      kills++;
      continue;
    }
    if (outcome.code !== 0) throw new Error(`run ${run + 1} exited with ${outcome.code}:\n${outcome.stderr}`);
    return { kills, starts, slots: outcome.slots ?? [] };
  }
}

/** The rows of the committed part files of a file sink's directory (hidden files are not output), sorted. */
export function committedRows(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('part-'))
    .flatMap((name) => readFileSync(path.join(dir, name), 'utf8').split('\n').filter((line) => line !== ''))
    .sort();
}
