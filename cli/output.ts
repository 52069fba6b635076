import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';

/** Where a command writes; process streams in production, string buffers in tests. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything a command touches of its process, injected so commands run in-process in tests. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/**
 * Whether to color text written to `stream`: never with `--no-color` or NO_COLOR (no-color.org); always with
 * FORCE_COLOR (other than `0`); otherwise only on a terminal that is not `dumb`.
 */
export function useColor(stream: OutputStream, env: CliIO['env'], colorFlag: boolean): boolean {
  if (!colorFlag || (env['NO_COLOR'] ?? '') !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** A usage or I/O error (SLC9xxx) as one line: it is about the command line, so there is no source to show. */
export function formatUsageError(diagnostic: Diagnostic): string {
  const help = diagnostic.help === undefined ? '' : ` (${diagnostic.help})`;
  return `${diagnostic.severity}[${diagnostic.code}]: ${diagnostic.message}${help}\n`;
}

/**
 * Writes a file so that readers never see half of it: the text goes to a temporary file in the same directory
 * (same file system, so the rename is atomic), which then replaces the target.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

const FS_ERROR_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** The reason of a failed file operation in plain words (Node's messages repeat the path and the syscall). */
export function describeFsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return (code === undefined ? undefined : FS_ERROR_REASONS[code]) ?? error.message;
}
