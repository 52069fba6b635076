import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Diagnostics } from '../compiler/diagnostics/catalogue.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { describeFsError } from './output.js';
import { usageError } from './usage-errors.js';

type ReadResult = { readonly text: string } | { readonly text: undefined; readonly error: Diagnostic };

/** The text of the file a command was given, or the usage error (SLC9xxx) that says why it cannot be read. */
export async function readSource(file: string, cwd: string): Promise<ReadResult> {
  try {
    return { text: await readFile(resolve(cwd, file), 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { text: undefined, error: usageError(Diagnostics.FileNotFound, { path: file, cwd }) };
    if (code === 'EISDIR') return { text: undefined, error: usageError(Diagnostics.PathIsDirectory, { path: file }) };
    return { text: undefined, error: usageError(Diagnostics.FileUnreadable, { path: file, reason: describeFsError(error) }) };
  }
}
