import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './run-in-process.js';

const TSX = import.meta.resolve('tsx');

export interface SluiceProcess {
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Closes the read end of the child's standard output, as `| head` does once it has enough. */
  closeStdout(): void;
}

/** Runs the real command line in a child process from source (through tsx), as `npx sluice` would. */
export function spawnSluice(args: readonly string[], cwd: string, env: Record<string, string> = {}): SluiceProcess {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'cli', 'main.ts'), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', SLUICE_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    kill: (signal) => child.kill(signal),
    closeStdout: () => child.stdout.destroy(),
  };
}
