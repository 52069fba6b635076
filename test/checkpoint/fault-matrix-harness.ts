import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSluice, type SluiceProcess } from '../run/spawn-sluice.js';

/**
 * The fault matrix of issue 8: a pipeline run through the real command line (`sluice run --resume`) meets a
 * seeded sequence of faults — SIGKILL, a full disk under its sink, a damaged newest checkpoint, a second copy
 * started at the same time — and is then run to its end. After every step the committed output must be whole
 * (no truncated line, nothing committed twice so far); in the end it must equal an undisturbed run's, or the
 * step must have been refused cleanly with the documented diagnostic.
 */

export type Fault = 'kill' | 'disk-full' | 'damage-newest' | 'concurrent-start';
export const FAULTS: readonly Fault[] = ['kill', 'disk-full', 'damage-newest', 'concurrent-start'];

/** How the newest completed checkpoint is damaged; each is detected by a different check. */
export type Damage = 'truncate-state-file' | 'flip-bit-in-state-file' | 'delete-metadata' | 'truncate-metadata';
const DAMAGES: readonly Damage[] = ['truncate-state-file', 'flip-bit-in-state-file', 'delete-metadata', 'truncate-metadata'];

export interface MatrixEnvironment {
  /** Where the `.pipe` file lives; the runs' working directory. */
  readonly workDir: string;
  readonly pipeFile: string;
  /** `<state.checkpoints.dir>/<pipeline name>`: where `chk-<n>` directories appear. */
  readonly checkpointsOfJob: string;
  readonly sinkDir: string;
  /** Fills the sink's file system, leaving a few KiB; undefined when no small file system could be mounted. */
  readonly fillSinkDisk: (() => () => void) | undefined;
  readonly random: () => number;
  /** Notes of what happened, for the failure message of a test. */
  readonly log: string[];
}

/** A step that Sluice refused (exit code 2) with one of these diagnostic codes is a clean refusal. */
export interface RefusalCodes {
  /** A second copy of a running job. */
  readonly locked: readonly string[];
  /** Restoring a checkpoint older than output already committed. */
  readonly olderThanCommitted: readonly string[];
}

export interface MatrixOptions {
  readonly refusals: RefusalCodes;
  /** The run flag that moves output committed after the restored checkpoint aside and goes on. */
  readonly rewindFlag: string;
  /** Checks the committed output so far is whole and holds nothing twice; throws when it does not. */
  readonly checkPartial: () => void;
}

const START_ARGS = ['--resume', '-q', '--no-color'];

/** The completed checkpoints of the job, newest first. */
export function completedCheckpoints(checkpointsOfJob: string): number[] {
  if (!fs.existsSync(checkpointsOfJob)) return [];
  return fs
    .readdirSync(checkpointsOfJob)
    .map((name) => /^chk-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(checkpointsOfJob, m[0], '_metadata')))
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
}

async function waitUntil(condition: () => boolean, exited: Promise<unknown>, timeoutMs = 60_000): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (done || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

function start(env: MatrixEnvironment, extra: readonly string[] = []): SluiceProcess {
  return spawnSluice(['run', env.pipeFile, ...START_ARGS, ...extra], env.workDir);
}

/**
 * Starts a run and SIGKILLs it a random while after it completed a new checkpoint (so every kill leaves
 * something to resume from). Returns the run's exit code when it ended by itself first.
 */
async function runAndKill(env: MatrixEnvironment, extra: readonly string[] = []): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  const before = completedCheckpoints(env.checkpointsOfJob)[0] ?? 0;
  const run = start(env, extra);
  const checkpointed = await waitUntil(() => (completedCheckpoints(env.checkpointsOfJob)[0] ?? 0) > before, run.exit);
  if (checkpointed) {
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.round(env.random() * 700)));
    run.kill('SIGKILL');
  }
  const { code, signal } = await run.exit;
  return { killed: signal === 'SIGKILL', code, stderr: run.stderr() };
}

function damageNewest(env: MatrixEnvironment): string {
  const newest = completedCheckpoints(env.checkpointsOfJob)[0];
  if (newest === undefined) return 'no completed checkpoint to damage';
  const dir = path.join(env.checkpointsOfJob, `chk-${newest}`);
  const damage = DAMAGES[Math.floor(env.random() * DAMAGES.length)]!;
  const stateFiles = fs.readdirSync(dir).filter((name) => name !== '_metadata' && fs.statSync(path.join(dir, name)).isFile() && fs.statSync(path.join(dir, name)).size > 0);
  const metadata = path.join(dir, '_metadata');
  const stateFile = stateFiles.length === 0 ? undefined : path.join(dir, stateFiles[Math.floor(env.random() * stateFiles.length)]!);
  const target = damage.endsWith('state-file') && stateFile !== undefined ? stateFile : metadata;
  const applied = target === metadata && damage.endsWith('state-file') ? 'truncate-metadata' : damage;
  switch (applied) {
    case 'delete-metadata':
      fs.rmSync(metadata);
      break;
    case 'flip-bit-in-state-file': {
      const bytes = fs.readFileSync(target);
      const at = Math.floor(env.random() * bytes.length);
      bytes[at] = bytes[at]! ^ 0x04;
      fs.writeFileSync(target, bytes);
      break;
    }
    default:
      fs.truncateSync(target, Math.floor(fs.statSync(target).size / 2));
  }
  return `${applied} of chk-${newest} (${path.basename(target)})`;
}

function refusedWith(stderr: string, codes: readonly string[]): boolean {
  return codes.some((code) => stderr.includes(`[${code}]`));
}

/**
 * A `--resume` after damage: either Sluice restores without committing anything twice, or it refuses because
 * the checkpoint left is older than committed output — then the run with the rewind flag must go on. Either run
 * is killed once it checkpointed, or ends by itself.
 */
async function resumeAfterDamage(env: MatrixEnvironment, options: MatrixOptions): Promise<void> {
  const outcome = await runAndKill(env);
  if (outcome.killed || outcome.code === 0) return;
  if (outcome.code === 2 && refusedWith(outcome.stderr, options.refusals.olderThanCommitted)) {
    env.log.push('  refused (committed output is newer than the checkpoint left); resuming with ' + options.rewindFlag);
    const rewound = await runAndKill(env, [options.rewindFlag]);
    if (rewound.killed || rewound.code === 0) return;
    throw new Error(`the run with ${options.rewindFlag} exited with ${rewound.code}:\n${rewound.stderr}`);
  }
  throw new Error(`--resume after a damaged checkpoint exited with ${outcome.code} without a documented refusal:\n${outcome.stderr}`);
}

async function diskFull(env: MatrixEnvironment): Promise<void> {
  if (env.fillSinkDisk === undefined) {
    env.log.push('  skipped: no small file system for the sink (needs root to mount a tmpfs)');
    return;
  }
  const release = env.fillSinkDisk();
  try {
    const run = start(env);
    const { code } = await run.exit;
    env.log.push(`  the run on a full disk exited with ${code}`);
    if (code === 0) return;
    if (code !== 1 || !/ENOSPC|no space/i.test(run.stderr())) throw new Error(`a run on a full disk exited with ${code}, not with a reported ENOSPC:\n${run.stderr()}`);
  } finally {
    release();
  }
}

async function concurrentStart(env: MatrixEnvironment, options: MatrixOptions): Promise<void> {
  const first = start(env);
  // The second starts while the first is surely running (it has taken its locks once it checkpoints).
  const before = completedCheckpoints(env.checkpointsOfJob)[0] ?? 0;
  const running = await waitUntil(() => (completedCheckpoints(env.checkpointsOfJob)[0] ?? 0) > before, first.exit);
  const second = start(env);
  const secondExit = await second.exit;
  if (running) first.kill('SIGKILL');
  const firstExit = await first.exit;
  // A first run that reached the end of its input by itself may have released its locks before the second took
  // them: then the second resumed after it, as it should.
  if (!running || (firstExit.signal !== 'SIGKILL' && firstExit.code === 0 && secondExit.code === 0)) {
    env.log.push(`  the first run ended (${firstExit.code}) before the second started; the second exited with ${secondExit.code}`);
    if (secondExit.code !== 0) throw new Error(`the second run exited with ${secondExit.code}:\n${second.stderr()}`);
    return;
  }
  if (secondExit.code !== 2 || !refusedWith(second.stderr(), options.refusals.locked)) {
    throw new Error(`a second copy started while the first ran exited with ${secondExit.code}, not with a lock refusal:\n${second.stderr()}`);
  }
  const pidNamed = second.stderr().match(/pid (\d+)/)?.[1];
  env.log.push(`  the second copy was refused (it named pid ${pidNamed ?? '?'})`);
}

/** Applies `faults` in order, checking the committed output after each, then runs the job to its end. */
export async function runFaultSequence(env: MatrixEnvironment, faults: readonly Fault[], options: MatrixOptions): Promise<void> {
  for (const fault of faults) {
    env.log.push(`fault: ${fault}`);
    switch (fault) {
      case 'kill': {
        const outcome = await runAndKill(env);
        env.log.push(`  ${outcome.killed ? 'killed' : `ended by itself with ${outcome.code}`}`);
        if (!outcome.killed && outcome.code !== 0) throw new Error(`a run exited with ${outcome.code}:\n${outcome.stderr}`);
        break;
      }
      case 'damage-newest': {
        const outcome = await runAndKill(env);
        if (!outcome.killed && outcome.code !== 0) throw new Error(`a run exited with ${outcome.code}:\n${outcome.stderr}`);
        env.log.push(`  damaged: ${damageNewest(env)}`);
        await resumeAfterDamage(env, options);
        break;
      }
      case 'disk-full':
        await diskFull(env);
        break;
      case 'concurrent-start':
        await concurrentStart(env, options);
        break;
    }
    options.checkPartial();
  }
  env.log.push('final run');
  const last = start(env);
  const { code } = await last.exit;
  if (code !== 0) throw new Error(`the final run exited with ${code}:\n${last.stderr()}`);
}

/** A seeded shuffle of `items`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Mounts a tmpfs of `sizeBytes` at `dir` when running as root; undefined (with the reason) otherwise. The
 * returned function fills it with a ballast file leaving `freeBytes`, and gives back a function removing it.
 */
export function mountSmallDisk(dir: string, sizeBytes: number): { fill: (freeBytes: number) => () => void; unmount: () => void } | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: 'not running as root: cannot mount a tmpfs' };
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return { reason: `mount -t tmpfs failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const ballast = path.join(dir, '.ballast');
  return {
    fill: (freeBytes) => {
      const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
      fs.writeFileSync(ballast, Buffer.alloc(Math.max(0, free - freeBytes)));
      return () => fs.rmSync(ballast, { force: true });
    },
    unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' }),
  };
}
