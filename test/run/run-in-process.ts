import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRun, type RunEnvironment, type RunFlags } from '../../cli/commands/run.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import type { CliIO, OutputStream } from '../../cli/output.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'run', 'fixtures');

export const DEFAULT_FLAGS: RunFlags = { set: [], color: false, quiet: false, resume: false, allowNonRestoredState: false };

/** A RunEnvironment whose signals the test emits and whose forced exits it records, with fast timers. */
export function testEnvironment(): RunEnvironment & { readonly signals: EventEmitter; readonly forcedExits: number[] } {
  const forcedExits: number[] = [];
  return {
    signals: new EventEmitter(),
    forceExit: (code) => forcedExits.push(code),
    now: Date.now,
    statusIntervalMs: 20,
    metricsIntervalMs: 50,
    forcedExits,
  };
}

/** A stream that collects what is written; `isTTY` to pose as a terminal. */
export function collector(isTTY = false): OutputStream & { readonly text: () => string; readonly columns: number } {
  const chunks: string[] = [];
  return { write: (text: string) => chunks.push(text), isTTY, columns: 100, text: () => chunks.join('') };
}

export interface InProcessRun {
  readonly stdout: ReturnType<typeof collector>;
  readonly stderr: ReturnType<typeof collector>;
  /** The exit code `sluice run` ends with. */
  readonly exit: Promise<number>;
}

/** Starts `sluice run` in this process, as main.ts would, with its output captured. */
export function startRun(
  file: string,
  flags: Partial<RunFlags> = {},
  options: { readonly cwd?: string; readonly env?: RunEnvironment; readonly vars?: CliIO['env']; readonly tty?: boolean } = {},
): InProcessRun {
  const stdout = collector();
  const stderr = collector(options.tty === true);
  const io: CliIO = { stdout, stderr, env: options.vars ?? {}, cwd: options.cwd ?? ROOT };
  const exit = runRun(file, { ...DEFAULT_FLAGS, ...flags }, io, options.env ?? testEnvironment()).then(exitCodeFor);
  return { stdout, stderr, exit };
}

/** Runs `sluice run` in this process to its end. */
export async function runInProcess(...args: Parameters<typeof startRun>): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startRun(...args);
  const code = await run.exit;
  return { code, stdout: run.stdout.text(), stderr: run.stderr.text() };
}

/** Polls until `condition` holds (a job under way), failing after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the run to reach the expected state');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
