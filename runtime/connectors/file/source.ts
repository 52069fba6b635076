import { open, type FileHandle } from 'node:fs/promises';
import type { StreamSchema } from '../../../compiler/graph/job-graph.js';
import type { Field } from '../../../compiler/types/sql-type.js';
import { createCsvDecoder, csvHeaderError, splitCsvRecord, type CsvOptions } from '../formats/csv.js';
import { createJsonlDecoder } from '../formats/jsonl.js';
import { RowFormatError } from '../formats/row-error.js';
import type { ConnectorOptions } from '../options.js';
import type { ReadResult, SourceConnector, SplitDescriptor, SplitPosition, SplitReader } from '../source-connector.js';
import { DEFAULT_CHUNK_BYTES, RecordReader, type FileRecord } from './record-reader.js';
import { displayPath, listFileSplits, type FileSplit } from './splits.js';

/**
 * The `file` source: jsonl or csv files, one split per file (splits.ts). Bounded: each file is read to its end,
 * a last line without newline included. Continuous: files never end; an incomplete last line waits for its
 * newline, appended lines are read when they arrive, and new files of the directory are discovered every
 * `source.monitor-interval`. Empty lines are skipped, and in jsonl lines of only whitespace too (in csv, whitespace
 * is data).
 */
export interface FileSourcePosition extends SplitPosition {
  /** Absolute path of the file (the split id). */
  readonly file: string;
  /** Where the next unread record starts. */
  readonly byteOffset: number;
  /** Its 1-based line number. */
  readonly line: number;
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
}

const DEFAULT_MONITOR_INTERVAL_MS = 1000;

/** `chunkBytes`: the read size (tests use small ones to exercise records across chunk boundaries). */
export function createFileSource(options: ConnectorOptions, schema: StreamSchema, chunkBytes = DEFAULT_CHUNK_BYTES): SourceConnector {
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
  };
  const known = new Set<string>();
  const list = async (): Promise<FileSplit[]> => {
    const files = await listFileSplits(path);
    if (files === undefined && !settings.continuous) {
      throw new Error(`file source: ${path} does not exist\nhelp: check the source's 'path' (a file, or a directory of files)`);
    }
    const fresh = (files ?? []).filter((f) => !known.has(f.id));
    for (const f of fresh) known.add(f.id);
    return fresh;
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

export class FileSplitReader implements SplitReader {
  readonly splitId: string;
  skippedRows = 0;
  private readonly file: string;
  private readonly shownPath: string;
  private handle: FileHandle | undefined;
  private records: RecordReader | undefined;
  private decoder: { decode(text: string, line: number): unknown[] } | undefined;
  private finished = false;
  private readonly start: { byteOffset: number; line: number };

  constructor(
    split: FileSplit,
    private readonly settings: FileSourceSettings,
    position?: FileSourcePosition,
  ) {
    this.splitId = split.id;
    this.file = split.path;
    this.shownPath = displayPath(split.path);
    this.start = position === undefined ? { byteOffset: 0, line: 1 } : { byteOffset: position.byteOffset, line: position.line };
    if (settings.format === 'jsonl') this.decoder = createJsonlDecoder(settings.fields, this.shownPath);
  }

  async read(maxRows: number): Promise<ReadResult> {
    const records = this.records ?? (await this.open());
    const rows: unknown[][] = [];
    while (rows.length < maxRows) {
      const record = records.next();
      if (record === undefined) {
        if (this.finished) {
          await this.close(); // a finished split need not hold its file open until the job ends
          return { rows, status: 'end' };
        }
        if (await this.io(records.fill())) continue;
        if (this.settings.continuous) return { rows, status: 'idle', retryAfterMs: this.settings.monitorIntervalMs };
        records.finish();
        this.finished = true;
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

  private invalidUtf8(record: FileRecord): RowFormatError {
    return new RowFormatError(
      this.shownPath,
      record.line,
      undefined,
      `not valid UTF-8: byte offset ${record.invalidUtf8At} of the file is not part of a UTF-8 character; Sluice reads text files as UTF-8 (convert the file, e.g. with iconv)`,
    );
  }

  position(): FileSourcePosition {
    const at = this.records ?? this.start;
    return { file: this.file, byteOffset: at.byteOffset, line: at.line };
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async open(): Promise<RecordReader> {
    this.handle = await this.io(open(this.file, 'r'));
    const splitting = this.settings.format === 'csv' ? 'csv' : 'lines';
    if (this.settings.format === 'csv' && !this.settings.csvHeader) {
      this.decoder = createCsvDecoder(this.settings.fields, this.settings.csv, this.shownPath);
    } else if (this.settings.format === 'csv' && this.start.byteOffset > 0) {
      // Resuming after the header row: read it again for the column names.
      const header = new RecordReader(this.handle, splitting, 0, 1, this.settings.chunkBytes);
      let record = header.next();
      while (record === undefined || record.text === '') {
        if (record === undefined && !(await this.io(header.fill()))) {
          throw new Error(`file source: ${this.shownPath} has no header row any more, but the source was reading it at byte ${this.start.byteOffset}`);
        }
        record = header.next();
      }
      this.decoder = this.csvDecoder(record.text, record.line);
    }
    this.records = new RecordReader(this.handle, splitting, this.start.byteOffset, this.start.line, this.settings.chunkBytes);
    return this.records;
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
      throw new Error(`file source: cannot read ${this.shownPath}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Whether a jsonl line holds only whitespace; a line starting with anything else is decided by its first character. */
function isBlank(text: string): boolean {
  return text.charCodeAt(0) <= 32 && text.trim() === '';
}
