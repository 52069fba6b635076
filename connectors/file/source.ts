import { open, type FileHandle } from 'node:fs/promises';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { Field } from '../../compiler/types/sql-type.js';
import { createCsvDecoder, csvHeaderError, splitCsvRecord, type CsvOptions } from '../../runtime/connectors/formats/csv.js';
import { createJsonlDecoder } from '../../runtime/connectors/formats/jsonl.js';
import { RowFormatError } from '../../runtime/connectors/formats/row-error.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { ReadResult, SourceConnector, SourceContext, SplitDescriptor, SplitPosition, SplitReader } from '../../runtime/connectors/source-connector.js';
import { identityAt, identityOf, sameFile, type FileIdentity } from './file-identity.js';
import { RenamedFiles } from './renamed-files.js';
import { DEFAULT_CHUNK_BYTES, RecordReader, type FileRecord, type RecordSplitting } from './record-reader.js';
import { displayPath, listFileSplits, type FileSplit } from './splits.js';

/**
 * The `file` source: jsonl or csv files, one split per file (splits.ts). Bounded: each file is read to its end,
 * a last line without newline included. Continuous: files never end; an incomplete last line waits for its
 * newline, appended lines are read when they arrive, and new files of the directory are discovered every
 * `source.monitor-interval`. Empty lines are skipped, and in jsonl lines of only whitespace too (in csv, whitespace
 * is data).
 *
 * Log rotation (continuous): whenever a reader is at the end of its file it checks, once per monitor interval,
 * whether the path still names that file (FileIdentity). The same file grown shorter than what was read was
 * truncated (copytruncate): it is read again from its start. Another file under the path (rename rotation): the
 * old one is read to its end, then the new one from its start. No file: the old one is read to its end (its
 * incomplete last line as a last row) and the reader waits for a file to appear under the path. Each of these is
 * told as a job warning, and the same checks run when a restored reader opens its file.
 */
export interface FileSourcePosition extends SplitPosition {
  /** Absolute path of the file (the split id). */
  readonly file: string;
  /** Where the next unread record starts. */
  readonly byteOffset: number;
  /** Its 1-based line number. */
  readonly line: number;
  /** The file read (FileIdentity), once opened; positions written by older versions lack it. */
  readonly dev?: string;
  readonly ino?: string;
  /** Bytes of the file read so far: at least `byteOffset`, more when an incomplete last line waits. */
  readonly size?: number;
  /** Continuous: the file was removed and none has appeared under the path since. */
  readonly removed?: boolean;
}

interface FileSourceSettings {
  readonly fields: readonly Field[];
  readonly format: 'jsonl' | 'csv';
  readonly continuous: boolean;
  readonly ignoreParseErrors: boolean;
  readonly monitorIntervalMs: number;
  readonly csv: CsvOptions;
  readonly csvHeader: boolean;
  readonly chunkBytes: number;
  readonly warn: (message: string) => void;
}

const DEFAULT_MONITOR_INTERVAL_MS = 1000;

/**
 * `context.warn` hears of rotated and removed files (a process warning without it); `chunkBytes`: the read size
 * (tests use small ones to exercise records across chunk boundaries).
 */
export function createFileSource(
  options: ConnectorOptions,
  schema: StreamSchema,
  context: Pick<SourceContext, 'warn'> = {},
  chunkBytes = DEFAULT_CHUNK_BYTES,
): SourceConnector {
  const path = options.string('path');
  const settings: FileSourceSettings = {
    fields: schema.fields,
    format: options.oneOf('format', ['jsonl', 'csv']),
    continuous: options.oneOf('mode', ['bounded', 'continuous'], 'bounded') === 'continuous',
    ignoreParseErrors: options.boolean('format.ignore-parse-errors', false),
    monitorIntervalMs: options.durationMs('source.monitor-interval', DEFAULT_MONITOR_INTERVAL_MS),
    csv: { delimiter: options.string('csv.field-delimiter', ',') },
    csvHeader: options.boolean('csv.header', true),
    chunkBytes,
    warn: context.warn ?? ((message) => process.emitWarning(message, 'SluiceWarning')),
  };
  const known = new Set<string>();
  const renamed = new RenamedFiles();
  const list = async (): Promise<FileSplit[]> => {
    const files = await listFileSplits(path);
    if (files === undefined && !settings.continuous) {
      throw new Error(`file source: ${path} does not exist\nhelp: check the source's 'path' (a file, or a directory of files)`);
    }
    const fresh = (files ?? []).filter((f) => !known.has(f.id));
    for (const f of fresh) known.add(f.id);
    return settings.continuous ? renamed.note(fresh) : fresh;
  };
  const connector: SourceConnector = {
    bounded: !settings.continuous,
    enumerateSplits: () => {
      known.clear();
      return list();
    },
    createReader: (split: SplitDescriptor, position?: SplitPosition) => new FileSplitReader(split as FileSplit, settings, position as FileSourcePosition | undefined),
  };
  return settings.continuous ? { ...connector, discoveryIntervalMs: settings.monitorIntervalMs, discoverNewSplits: list } : connector;
}

/** Where a reader starts: the recorded position, or the start of the file. */
interface StartPosition {
  readonly byteOffset: number;
  readonly line: number;
  /** Bytes read of the file when the position was recorded; undefined for a split never read. */
  readonly size: number | undefined;
  readonly identity: FileIdentity | undefined;
}

const FILE_START: StartPosition = { byteOffset: 0, line: 1, size: 0, identity: undefined };

export class FileSplitReader implements SplitReader {
  readonly splitId: string;
  skippedRows = 0;
  private readonly file: string;
  private readonly shownPath: string;
  private handle: FileHandle | undefined;
  /** The file open, when one is. */
  private identity: FileIdentity | undefined;
  private records: RecordReader | undefined;
  private decoder: { decode(text: string, line: number): unknown[] } | undefined;
  /** The open file's last record has been made: once it is returned, the file is done. */
  private tailDone = false;
  /** Continuous: the path no longer names the open file, which is read to its end first. */
  private ending: 'replaced' | 'removed' | undefined;
  /** Continuous: no file under the path; the reader waits for one. */
  private removed: boolean;
  private start: StartPosition;

  constructor(
    split: FileSplit,
    private readonly settings: FileSourceSettings,
    position?: FileSourcePosition,
  ) {
    this.splitId = split.id;
    this.file = split.path;
    this.shownPath = displayPath(split.path);
    if (position === undefined && split.renamedFrom !== undefined) {
      settings.warn(
        `${this.shownPath} is ${displayPath(split.renamedFrom)} renamed (log rotation?): it is read as a new file, so rows read from it under the old name are read again; rotate logs to a name starting with '.' or '_', or to another directory`,
      );
    }
    this.removed = position?.removed === true;
    this.start =
      position === undefined || this.removed
        ? { ...FILE_START, size: position === undefined ? undefined : 0 }
        : {
            byteOffset: position.byteOffset,
            line: position.line,
            // Older positions lack the size: a file they read from is taken as read up to the position.
            size: position.size ?? (position.dev === undefined && position.byteOffset === 0 ? undefined : position.byteOffset),
            identity: position.dev === undefined || position.ino === undefined ? undefined : { dev: position.dev, ino: position.ino },
          };
    if (settings.format === 'jsonl') this.decoder = createJsonlDecoder(settings.fields, this.shownPath);
  }

  async read(maxRows: number): Promise<ReadResult> {
    const rows: unknown[][] = [];
    let records = this.records ?? (await this.open());
    if (records === undefined) return this.settings.continuous ? this.idle(rows) : { rows, status: 'end' };
    while (rows.length < maxRows) {
      const record = records.next();
      if (record === undefined) {
        if (this.tailDone) {
          await this.close(); // a finished split need not hold its file open until the job ends
          if (!this.settings.continuous) return { rows, status: 'end' };
          this.leaveEndedFile();
          return this.removed ? this.idle(rows) : { rows, status: 'more' };
        }
        if (await this.io(records.fill())) continue;
        if (this.settings.continuous && this.ending === undefined) {
          const change = await this.checkRotation(records);
          if (change === 'none') return this.idle(rows);
          records = this.records!;
          continue;
        }
        records.finish();
        this.tailDone = true;
        continue;
      }
      if (record.text === '' || (this.settings.format === 'jsonl' && isBlank(record.text))) continue;
      if (this.decoder === undefined) {
        // The header row: without it no row can be read, so it fails even when parse errors are ignored.
        if (record.invalidUtf8At !== -1) throw csvHeaderError(this.shownPath, record.line, this.invalidUtf8(record).problem);
        this.decoder = this.csvDecoder(record.text, record.line);
        continue;
      }
      try {
        if (record.invalidUtf8At !== -1) throw this.invalidUtf8(record);
        rows.push(this.decoder.decode(record.text, record.line));
      } catch (error) {
        if (!(error instanceof RowFormatError && this.settings.ignoreParseErrors)) throw error;
        this.skippedRows++;
      }
    }
    return { rows, status: 'more' };
  }

  position(): FileSourcePosition {
    const at = this.records ?? this.start;
    const identity = this.identity ?? this.start.identity;
    const size = this.records?.readEnd ?? this.start.size;
    return {
      file: this.file,
      byteOffset: at.byteOffset,
      line: at.line,
      ...(identity === undefined ? {} : { dev: identity.dev, ino: identity.ino }),
      ...(size === undefined ? {} : { size }),
      ...(this.removed ? { removed: true } : {}),
    };
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private idle(rows: unknown[][]): ReadResult {
    return { rows, status: 'idle', retryAfterMs: this.settings.monitorIntervalMs };
  }

  private invalidUtf8(record: FileRecord): RowFormatError {
    return new RowFormatError(
      this.shownPath,
      record.line,
      undefined,
      `not valid UTF-8: byte offset ${record.invalidUtf8At} of the file is not part of a UTF-8 character; Sluice reads text files as UTF-8 (convert the file, e.g. with iconv)`,
    );
  }

  /**
   * At the end of the open file (continuous): whether the path still names it, grown or not. Truncated: reading
   * starts again at 0 (a new `records`). Replaced or removed: `ending` is set, and the caller reads the file to its end.
   */
  private async checkRotation(records: RecordReader): Promise<'none' | 'truncated' | 'ending'> {
    const size = Number((await this.io(this.handle!.stat({ bigint: true }))).size);
    if (size < records.readEnd) {
      this.settings.warn(
        `${this.shownPath} was truncated to ${size} bytes after ${records.readEnd} had been read (copytruncate log rotation?): reading it again from the start`,
      );
      this.startOver(this.handle!);
      return 'truncated';
    }
    const now = await this.io(identityAt(this.file));
    if (now !== undefined && sameFile(now, this.identity!)) return 'none';
    this.ending = now === undefined ? 'removed' : 'replaced';
    if (this.ending === 'replaced') {
      this.settings.warn(`${this.shownPath} was replaced by another file (rename log rotation?): reading the old file to its end, then the new one from the start`);
    }
    return 'ending';
  }

  /** After the file the path named was read to its end: the next one under the path is read from its start. */
  private leaveEndedFile(): void {
    this.removed = this.ending === 'removed';
    this.ending = undefined;
    this.tailDone = false;
    this.records = undefined;
    this.identity = undefined;
    this.start = FILE_START;
    this.forgetHeader();
  }

  private startOver(handle: FileHandle): void {
    this.records = new RecordReader(handle, this.splitting(), 0, 1, this.settings.chunkBytes);
    this.forgetHeader();
  }

  /** A csv file read from its start again begins with its header row. */
  private forgetHeader(): void {
    if (this.settings.format === 'csv' && this.settings.csvHeader) this.decoder = undefined;
  }

  private splitting(): RecordSplitting {
    return this.settings.format === 'csv' ? 'csv' : 'lines';
  }

  /** Opens the file, checking it is the one the start position was recorded in; undefined when there is none. */
  private async open(): Promise<RecordReader | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.ioError(error);
      this.onMissing();
      return undefined;
    }
    this.handle = handle;
    const info = await this.io(handle.stat({ bigint: true }));
    const identity = identityOf(info);
    const { start } = this;
    if (start.identity !== undefined && !sameFile(identity, start.identity)) {
      this.settings.warn(
        `${this.shownPath} is not the file that was read up to byte ${start.byteOffset} before (replaced by rename log rotation?): reading it from the start`,
      );
      this.start = FILE_START;
    } else if (Number(info.size) < start.byteOffset) {
      this.settings.warn(
        `${this.shownPath} has ${info.size} bytes, fewer than the ${start.byteOffset} read before (truncated by copytruncate log rotation?): reading it again from the start`,
      );
      this.start = FILE_START;
    }
    this.identity = identity;
    this.removed = false;
    if (this.settings.format === 'csv' && !this.settings.csvHeader) {
      this.decoder = createCsvDecoder(this.settings.fields, this.settings.csv, this.shownPath);
    } else if (this.settings.format === 'csv' && this.start.byteOffset > 0) {
      // Resuming after the header row: read it again for the column names.
      const header = new RecordReader(handle, 'csv', 0, 1, this.settings.chunkBytes);
      let record = header.next();
      while (record === undefined || record.text === '') {
        if (record === undefined && !(await this.io(header.fill()))) {
          throw new Error(`file source: ${this.shownPath} has no header row any more, but the source was reading it at byte ${this.start.byteOffset}`);
        }
        record = header.next();
      }
      this.decoder = this.csvDecoder(record.text, record.line);
    }
    this.records = new RecordReader(handle, this.splitting(), this.start.byteOffset, this.start.line, this.settings.chunkBytes);
    return this.records;
  }

  /** No file under the path. Done, unless some of it was never read: that is worth a warning. */
  private onMissing(): void {
    if (this.removed) return;
    const { size, byteOffset } = this.start;
    if (size === undefined) {
      this.settings.warn(`${this.shownPath} was removed before it was read`);
    } else if (size > byteOffset) {
      this.settings.warn(`${this.shownPath} was removed with ${size - byteOffset} bytes after byte ${byteOffset} never read`);
    }
    this.removed = this.settings.continuous;
    this.start = FILE_START;
  }

  private csvDecoder(headerText: string, line: number) {
    const names: (string | null)[] = [];
    let count: number;
    try {
      count = splitCsvRecord(headerText, this.settings.csv.delimiter, names);
    } catch (error) {
      throw csvHeaderError(this.shownPath, line, `the header row is malformed: ${(error as { message: string }).message}`);
    }
    const header = names.slice(0, count).map((name) => name ?? '');
    return createCsvDecoder(this.settings.fields, this.settings.csv, this.shownPath, header);
  }

  private async io<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw this.ioError(error);
    }
  }

  private ioError(error: unknown): Error {
    return new Error(`file source: cannot read ${this.shownPath}: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether a jsonl line holds only whitespace; a line starting with anything else is decided by its first character. */
function isBlank(text: string): boolean {
  return text.charCodeAt(0) <= 32 && text.trim() === '';
}
