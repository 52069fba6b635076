import { createHash } from 'node:crypto';
import { writeDurably, type CheckpointFileSystem } from './file-system.js';

/** Size and checksum of a state file, recorded in `_metadata` and verified on restore. */
export interface WrittenContent {
  readonly bytes: number;
  readonly sha256: string;
}

/** About this much text is written (and hashed) at once; the task runs between pieces. */
const PIECE_CHARS = 256 * 1024;

/**
 * Writes `lines` (each followed by a newline) through `write` in pieces, hashing as it goes. `write` returns a
 * promise that the writer awaits before producing the next piece: I/O, or a turn of the event loop, so a large
 * snapshot is written off the task's hot path. Lines produced asynchronously (a chain merge's) come in batches.
 * Each piece is encoded to UTF-8 once, and that buffer is counted, hashed and written.
 */
export async function writeLines(lines: Iterable<string> | AsyncIterable<readonly string[]>, write: (piece: Buffer) => Promise<void>): Promise<WrittenContent> {
  const hash = createHash('sha256');
  let bytes = 0;
  let piece = '';
  const flush = async () => {
    const written = Buffer.from(piece, 'utf8');
    piece = '';
    hash.update(written);
    bytes += written.length;
    await write(written);
  };
  const batches = Symbol.asyncIterator in lines ? lines : [lines];
  for await (const batch of batches) {
    for (const line of batch) {
      piece += `${line}\n`;
      if (piece.length >= PIECE_CHARS) await flush();
    }
  }
  if (piece.length > 0) await flush();
  return { bytes, sha256: hash.digest('hex') };
}

/** Writes `lines` (writeLines) as the new file `file`, durably (fsynced before anything references it). */
export function writeLinesDurably(fs: CheckpointFileSystem, file: string, lines: Iterable<string> | AsyncIterable<readonly string[]>): Promise<WrittenContent> {
  return writeDurably(fs, file, (handle) =>
    writeLines(lines, async (piece) => {
      await handle.write(piece);
    }),
  );
}

export function sha256Of(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
