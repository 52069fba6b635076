import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { firstInvalidUtf8 } from '../../runtime/connectors/formats/utf8.js';

/**
 * Reads a file's records (lines, or csv records whose quoted fields may span lines) in chunks, tracking for each
 * the byte offset and line number where the next one starts, so that a reader can resume exactly there. A chunk
 * is decoded to text once, up to its last newline (a UTF-8 sequence never contains the newline byte), and
 * records are slices of that text; byte offsets follow the newlines, directly when the chunk is ASCII. A UTF-8
 * byte order mark at the start of the file is not part of the first record. Input must be UTF-8: a record holding
 * an invalid byte sequence says where (`invalidUtf8At`) rather than passing on U+FFFD replacement characters.
 */
export type RecordSplitting = 'lines' | 'csv';

export interface FileRecord {
  /** The record without its line terminator (`\n` or `\r\n`). */
  readonly text: string;
  /** 1-based line where it starts. */
  readonly line: number;
  /** File offset of the record's first byte that is not valid UTF-8, or -1 (valid). */
  readonly invalidUtf8At: number;
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

const BYTE_ORDER_MARK = 0xfeff;

export class RecordReader {
  private buffer: Buffer;
  /** Valid bytes in `buffer`. */
  private filled = 0;
  /** File offset of `buffer[0]`. */
  private bufferOffset: number;
  /** The decoded start of `buffer`, up to its last newline. */
  private text = '';
  private ascii = true;
  /** `text` came from bytes that are not all valid UTF-8: records holding U+FFFD must be checked. */
  private invalidUtf8 = false;
  /** With `invalidUtf8`: the first U+FFFD at or after `charPos` in `text`, or -1 when there is none. */
  private nextReplacement = -1;
  /** The next record starts at `text[charPos]`, `buffer[bytePos]`. */
  private charPos = 0;
  private bytePos = 0;
  private nextLine: number;
  /** The last record has no line terminator: `text` ends with a newline `buffer` does not have. */
  private unterminatedTail = false;
  /** csv: the first quote at or after `charPos` in `text`, or -1 when there is none. */
  private nextQuote = -1;

  constructor(
    private readonly handle: FileHandle,
    private readonly splitting: RecordSplitting,
    byteOffset: number,
    line: number,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.bufferOffset = byteOffset;
    this.nextLine = line;
  }

  /** Where the next record starts. */
  get byteOffset(): number {
    return this.bufferOffset + this.bytePos;
  }

  get line(): number {
    return this.nextLine;
  }

  /** File offset up to which bytes have been read from the file (records not yet returned included). */
  get readEnd(): number {
    return this.bufferOffset + this.filled;
  }

  /** The next complete record of what has been read, or undefined when `fill` must read more first. */
  next(): FileRecord | undefined {
    const text = this.text;
    if (this.charPos >= text.length) return undefined;
    const start = this.charPos;
    const end = this.splitting === 'lines' ? text.indexOf('\n', start) : this.csvRecordEnd(start);
    if (end === -1) return undefined;
    const line = this.nextLine;
    const newlines = this.splitting === 'lines' || this.nextQuote === -1 || this.nextQuote > end ? 1 : countNewlines(text, start, end + 1);
    const startByte = this.bytePos;
    this.charPos = end + 1;
    this.nextLine += newlines;
    if (this.ascii) {
      this.bytePos = this.charPos;
    } else {
      for (let i = 0; i < newlines; i++) {
        const at = this.buffer.indexOf(10, this.bytePos);
        this.bytePos = at === -1 ? this.filled : at + 1;
      }
    }
    if (this.unterminatedTail && this.charPos >= text.length) this.bytePos = this.filled;
    const recordEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const invalidUtf8At = this.invalidUtf8 ? this.invalidByte(start, end, startByte) : -1;
    return { text: text.slice(start, recordEnd), line, invalidUtf8At };
  }

  /** The file offset of the first invalid byte of the record `text[start..end]` starting at `buffer[startByte]`, or -1. */
  private invalidByte(start: number, end: number, startByte: number): number {
    if (this.nextReplacement !== -1 && this.nextReplacement < start) this.nextReplacement = this.text.indexOf('\uFFFD', start);
    if (this.nextReplacement === -1 || this.nextReplacement > end) return -1;
    // A U+FFFD may also be spelled correctly in the file: the bytes decide.
    const at = firstInvalidUtf8(this.buffer, startByte, this.bytePos);
    return at === -1 ? -1 : this.bufferOffset + at;
  }

  /**
   * Reads the next chunk of the file. Returns false at the end of the file (nothing new was read); then `finish`
   * turns an unterminated last line into a record (bounded reading), or a later `fill` picks up appended bytes
   * (continuous reading).
   */
  async fill(): Promise<boolean> {
    this.compact();
    if (this.filled === this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.filled);
      this.buffer = bigger;
    }
    const { bytesRead } = await this.handle.read(this.buffer, this.filled, this.buffer.length - this.filled, this.bufferOffset + this.filled);
    if (bytesRead === 0) return false;
    this.filled += bytesRead;
    const lastNewline = this.buffer.lastIndexOf(10, this.filled - 1);
    this.decode(lastNewline + 1, false);
    return true;
  }

  /** At the end of a bounded file: makes the bytes after the last newline (if any) the final record. */
  finish(): void {
    this.compact();
    if (this.filled > 0) this.decode(this.filled, true);
  }

  private compact(): void {
    if (this.bytePos === 0) return;
    this.buffer.copy(this.buffer, 0, this.bytePos, this.filled);
    this.filled -= this.bytePos;
    this.bufferOffset += this.bytePos;
    this.bytePos = 0;
    this.text = '';
    this.charPos = 0;
  }

  private decode(bytes: number, unterminated: boolean): void {
    const text = this.buffer.toString('utf8', 0, bytes);
    // Equal lengths: every byte became one character, so character and byte positions agree (lone invalid bytes
    // included, each one U+FFFD).
    this.ascii = text.length === bytes;
    this.invalidUtf8 = !isUtf8(this.buffer.subarray(0, bytes));
    this.text = unterminated ? `${text}\n` : text;
    this.unterminatedTail = unterminated;
    const bom = this.bufferOffset === 0 && text.charCodeAt(0) === BYTE_ORDER_MARK;
    this.charPos = bom ? 1 : 0;
    this.bytePos = bom ? 3 : 0;
    this.nextQuote = this.splitting === 'csv' ? this.text.indexOf('"') : -1;
    this.nextReplacement = this.invalidUtf8 ? this.text.indexOf('\uFFFD') : -1;
  }

  /** The newline ending the csv record at `start`, skipping newlines inside quoted fields; -1 if not in `text`. */
  private csvRecordEnd(start: number): number {
    const text = this.text;
    if (this.nextQuote !== -1 && this.nextQuote < start) this.nextQuote = text.indexOf('"', start);
    const newline = text.indexOf('\n', start);
    if (this.nextQuote === -1 || this.nextQuote > newline) return newline;
    // Walk quote pairs: a doubled quote inside a field closes and reopens, which this loop treats alike.
    let at = this.nextQuote;
    for (;;) {
      const close = text.indexOf('"', at + 1);
      if (close === -1) return this.unterminatedTail ? text.length - 1 : -1;
      const open = text.indexOf('"', close + 1);
      const end = text.indexOf('\n', close + 1);
      if (open === -1 || open > end) return end;
      at = open;
    }
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
