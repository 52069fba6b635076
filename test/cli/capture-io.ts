import type { CliIO } from '../../cli/output.js';

/** A CliIO whose streams collect what a command writes, for in-process command tests. */
export function captureIO(cwd: string): CliIO & { readonly out: () => string; readonly err: () => string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env: {},
    cwd,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}
