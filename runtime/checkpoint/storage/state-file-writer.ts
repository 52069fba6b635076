import { createHash } from 'node:crypto';
import { writeDurably, type CheckpointFileSystem } from './file-system.js';

/** Size and checksum of a state file, recorded in `_metadata` and verified on restore. */
export interface WrittenContent {
  readonly bytes: number;
  readonly sha256: string;
}

/** About this much text is encoded (to UTF-8) at once. */
const PIECE_CHARS = 256 * 1024;

/**
 * Writes `pieces` through `write`, hashing as it goes. `write` returns a promise that the writer awaits before
 * asking for the next piece: I/O, or a turn of the event loop, so a large file is written off the task's hot
 * path, and a producer may reuse a piece's memory once the next is asked for (snapshot-binary.ts does).
 */
export async function writePieces(pieces: Iterable<Buffer> | AsyncIterable<Buffer>, write: (piece: Buffer) => Promise<void>): Promise<WrittenContent> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    hash.update(piece);
    bytes += piece.length;
    await write(piece);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * A file's pieces are encoded ahead (`encodeAhead`) up to this many bytes, and after the first only while this
 * little time has passed: a piece takes up to the encoder's own budget (snapshot-binary.ts, PIECE_MS), so the pause
 * is about one piece.
 */
const AHEAD_BYTES = 4 * 1024 * 1024;
const AHEAD_MS = 10;

/**
 * `pieces` with the first ones encoded now, in the caller's turn (`AHEAD_*`), the rest as the writer asks for
 * them. For a heap state's checkpoint file: until the encoder has passed a key, a write to that key copies it
 * (copy-on-write), so a state that changes whole between checkpoints (Nexmark q5's windows) was copied nearly
 * whole while its pieces waited for the directory, the file and turns of the event loop, and the copies were the
 * collector's work. Encoded ahead, a small state is not copied at all, a larger one not where the first piece
 * reached (the encoder tells the backend how far it has read). Each piece is copied (a producer may reuse a piece's
 * memory).
 */
export function encodeAhead(pieces: Generator<Buffer>): Iterable<Buffer> {
  const ahead: Buffer[] = [];
  const started = performance.now();
  let bytes = 0;
  let done = false;
  // A failure to encode surfaces where the writer reads the pieces, as it would without encoding ahead.
  let failure: { readonly error: unknown } | undefined;
  try {
    while (bytes < AHEAD_BYTES && performance.now() - started < AHEAD_MS) {
      const next = pieces.next();
      done = next.done === true;
      if (done) break;
      ahead.push(Buffer.from(next.value));
      bytes += next.value.length;
    }
  } catch (error) {
    failure = { error };
  }
  return (function* () {
    yield* ahead;
    if (failure !== undefined) throw failure.error;
    if (!done) yield* pieces;
  })();
}

/** `lines`, each followed by a newline, as UTF-8 pieces of about PIECE_CHARS: each piece is encoded once. */
export function* linePieces(lines: Iterable<string>): Generator<Buffer> {
  let piece = '';
  for (const line of lines) {
    piece += `${line}\n`;
    if (piece.length >= PIECE_CHARS) {
      yield Buffer.from(piece, 'utf8');
      piece = '';
    }
  }
  if (piece.length > 0) yield Buffer.from(piece, 'utf8');
}

/** Writes `lines` (each followed by a newline) as `writePieces` does. */
export function writeLines(lines: Iterable<string>, write: (piece: Buffer) => Promise<void>): Promise<WrittenContent> {
  return writePieces(linePieces(lines), write);
}

/** Writes `pieces` (writePieces) as the new file `file`, durably (fsynced before anything references it). */
export function writePiecesDurably(fs: CheckpointFileSystem, file: string, pieces: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<WrittenContent> {
  return writeDurably(fs, file, (handle) =>
    writePieces(pieces, async (piece) => {
      await handle.write(piece);
    }),
  );
}

export function sha256Of(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
