import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import * as z from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { createCsvEncoder, csvHeader } from '../../runtime/connectors/formats/csv.js';
import { createJsonlEncoder, type RowEncoder } from '../../runtime/connectors/formats/jsonl.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { CommittableSchema, RowKind, type SinkContext, type SinkEnvironment, type SinkWriter } from '../../runtime/connectors/sink-connector.js';
import { CommitRecordLog, commitRecordsName, readCommitRecords, type CommitRecord } from './commit-records.js';
import { nodeFileSystem, syncDirectory } from '../../runtime/checkpoint/storage/file-system.js';
import { finalPartPath, inProgressPath, parseHiddenPart, pendingPath } from './part-files.js';
import { displayPath } from './splits.js';
import { writeFully } from './write-fully.js';

/**
 * The `file` sink: jsonl or csv part files in the directory `path` (names in part-files.ts), rolled when they
 * reach `sink.rolling-policy.file-size` or have been open `sink.rolling-policy.rollover-interval`.
 *
 * `exactly-once`: a closed part file (rolled, or closed at a barrier) is fsynced and stays hidden and pending
 * until the checkpoint that claimed it (with its length) completes; then `commit` checks its length, records it
 * (commit-records.ts) and renames it to its final name. Any write that fails fails the task and the checkpoint
 * it was for (SLC9120), so a file that was not fully written and synced is never committed. `at-least-once`: no
 * transaction; a part file is renamed to its final name as soon as it is closed (at a roll or a barrier), so
 * readers still never see a half-written file, but rows written after the last completed checkpoint are written
 * again after a restore.
 *
 * Upsert streams get a leading `op` field (`+I`, `-U`, `+U`, `-D`); append streams have none.
 */
interface OpenPart {
  readonly handle: FileHandle;
  readonly finalPath: string;
  readonly tmpPath: string;
  readonly openedAt: number;
  bytes: number;
}

/** A closed part file not yet handed out by `preCommit`. */
interface ClosedPart {
  readonly finalPath: string;
  readonly tmpPath: string;
  readonly bytes: number;
}

const DEFAULT_FILE_SIZE = 128 * 1024 * 1024;
const DEFAULT_ROLLOVER_MS = 30 * 60_000;

export function createFileSinkWriter(options: ConnectorOptions, schema: StreamSchema, context: SinkContext, environment: SinkEnvironment = {}): FileSinkWriter {
  const format = options.oneOf('format', ['jsonl', 'csv']);
  const withOp = schema.changelog === 'upsert';
  const csv = { delimiter: options.string('csv.field-delimiter', ',') };
  return new FileSinkWriter({
    dir: resolve(options.string('path')),
    extension: format,
    exactlyOnce: options.oneOf('sink.semantic', ['exactly-once', 'at-least-once'], 'exactly-once') === 'exactly-once',
    maxFileBytes: options.bytes('sink.rolling-policy.file-size', DEFAULT_FILE_SIZE),
    rolloverMs: options.durationMs('sink.rolling-policy.rollover-interval', DEFAULT_ROLLOVER_MS),
    encode: format === 'jsonl' ? createJsonlEncoder(schema.fields, withOp) : createCsvEncoder(schema.fields, csv, withOp),
    header: format === 'csv' && options.boolean('csv.header', true) ? `${csvHeader(schema.fields, csv, withOp)}\n` : '',
    context,
    clock: environment.clock ?? Date.now,
  });
}

export interface FileSinkSettings {
  readonly dir: string;
  readonly extension: string;
  readonly exactlyOnce: boolean;
  readonly maxFileBytes: number;
  readonly rolloverMs: number;
  readonly encode: RowEncoder;
  /** Written at the start of every part file ('' for none). */
  readonly header: string;
  readonly context: SinkContext;
  readonly clock: () => number;
}

/** A part file pre-committed at a barrier: its hidden pending file, the name it gets when committed, and how many bytes were written and synced into it (absent in checkpoints of earlier versions), so that commit can tell a truncated file. */
export const FileCommittableSchema = CommittableSchema.extend({
  tmpPath: z.string().min(1),
  finalPath: z.string().min(1),
  bytes: z.number().int().min(0).optional(),
});
export type FileCommittable = z.infer<typeof FileCommittableSchema>;

export class FileSinkWriter implements SinkWriter<FileCommittable> {
  readonly committableSchema = FileCommittableSchema;
  private buffered: string[] = [];
  private current: OpenPart | undefined;
  private closed: ClosedPart[] = [];
  private nextPart = 0;
  private dirReady = false;
  private readonly records: CommitRecordLog;

  constructor(private readonly settings: FileSinkSettings) {
    this.records = new CommitRecordLog(join(settings.dir, commitRecordsName(settings.context.uid, settings.context.subtask)));
  }

  write(rows: readonly (readonly unknown[])[], kinds?: Uint8Array): void {
    const encode = this.settings.encode;
    for (let i = 0; i < rows.length; i++) {
      this.buffered.push(encode(rows[i]!, kinds === undefined ? RowKind.INSERT : kinds[i]!));
    }
  }

  async flush(): Promise<void> {
    if (this.buffered.length > 0) {
      const text = `${this.buffered.join('\n')}\n`;
      this.buffered = [];
      const part = this.current ?? (await this.openPart());
      const data = Buffer.from(text);
      await this.io(writeFully(part.handle, data), part.tmpPath);
      part.bytes += data.length;
    }
    const part = this.current;
    if (part !== undefined && (part.bytes >= this.settings.maxFileBytes || this.settings.clock() - part.openedAt >= this.settings.rolloverMs)) {
      await this.closeCurrent();
    }
  }

  async preCommit(checkpointId: number): Promise<FileCommittable[]> {
    await this.flush();
    await this.closeCurrent();
    const closed = this.closed;
    this.closed = [];
    if (!this.settings.exactlyOnce) return [];
    const committables: FileCommittable[] = [];
    for (const part of closed) {
      const tmpPath = pendingPath(part.finalPath, checkpointId);
      await this.io(rename(part.tmpPath, tmpPath), part.tmpPath);
      committables.push({ tmpPath, finalPath: part.finalPath, checkpointId, bytes: part.bytes });
    }
    if (committables.length > 0) await syncDirectory(nodeFileSystem, this.settings.dir);
    return committables;
  }

  /** Checks each pending file's length, records the commits durably, then renames; committed ones are skipped. */
  async commit(committables: readonly FileCommittable[]): Promise<void> {
    await this.commitPending(await this.stillPending(committables), new Set());
  }

  /** The committables whose pending file is still there, its length checked; those renamed already are left out. */
  private async stillPending(committables: readonly FileCommittable[]): Promise<FileCommittable[]> {
    const { context } = this.settings;
    const pending: FileCommittable[] = [];
    for (const c of committables) {
      const size = await sizeOf(c.tmpPath);
      if (size === undefined) {
        if (await sizeOf(c.finalPath) !== undefined) continue;
        throw new Error(
          `file sink '${context.uid}': cannot commit ${displayPath(c.finalPath)} of checkpoint ${c.checkpointId}: its pending file ${displayPath(c.tmpPath)} is missing\n` +
            'help: the pending file must stay in place until its checkpoint is committed; was the sink directory cleaned or shared with another job?',
        );
      }
      if (c.bytes !== undefined && size !== c.bytes) {
        throw new DiagnosticError(Diagnostics.PendingFileChanged, {
          uid: context.uid,
          file: displayPath(c.finalPath),
          checkpoint: c.checkpointId,
          actual: size,
          expected: c.bytes,
        });
      }
      pending.push(c);
    }
    return pending;
  }

  /** Records the commits of `pending` (but of files in `recorded`) durably, then renames each to its final name. */
  private async commitPending(pending: readonly FileCommittable[], recorded: ReadonlySet<string>): Promise<void> {
    if (pending.length === 0) return;
    const { context, dir } = this.settings;
    const records: CommitRecord[] = pending
      .filter((c) => !recorded.has(basename(c.finalPath)))
      .map((c) => ({
        checkpointId: c.checkpointId,
        lineage: context.lineage,
        subtask: context.subtask,
        file: basename(c.finalPath),
        bytes: c.bytes ?? 0,
      }));
    await this.io(this.records.append(records), this.records.path);
    for (const c of pending) await this.io(rename(c.tmpPath, c.finalPath), c.tmpPath);
    await syncDirectory(nodeFileSystem, dir);
  }

  async abort(): Promise<void> {
    this.buffered = [];
    const part = this.current;
    this.current = undefined;
    if (part !== undefined) await part.handle.close();
    const discarded = [...this.closed.map((c) => c.tmpPath), ...(part === undefined ? [] : [part.tmpPath])];
    this.closed = [];
    await Promise.all(discarded.map((path) => rm(path, { force: true })));
  }

  async recover(committables: readonly FileCommittable[], restoredCheckpointId?: number): Promise<void> {
    const { dir, context } = this.settings;
    const pending = await this.stillPending(committables);
    // A crash between recording a commit and its rename leaves the file pending and its record written (by this
    // subtask, or by another before a rescale): the retried commit renames it without recording it twice, so that
    // each committed file has one record.
    const recorded = pending.length === 0 ? new Set<string>() : new Set((await readCommitRecords(dir, context.uid)).map((r) => r.file));
    await this.commitPending(pending, recorded);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Each subtask cleans the names of its own subtask number (modulo the parallelism, after a rescale), so that
    // no two subtasks race on a file; pending files a restored checkpoint may still claim are left alone.
    const leftovers = names.filter((name) => {
      const part = parseHiddenPart(name);
      if (part === undefined || part.runId === context.runId || part.subtask % context.parallelism !== context.subtask) return false;
      return part.state === 'inprogress' || (restoredCheckpointId !== undefined && part.checkpointId > restoredCheckpointId);
    });
    await Promise.all(leftovers.map((name) => rm(join(dir, name), { force: true })));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeCurrent();
    const closed = this.closed;
    this.closed = [];
    if (!this.settings.exactlyOnce) return;
    for (const part of closed) await this.io(rename(part.tmpPath, part.finalPath), part.tmpPath);
    if (closed.length > 0) await syncDirectory(nodeFileSystem, this.settings.dir);
  }

  private async openPart(): Promise<OpenPart> {
    const { dir, context, extension, header } = this.settings;
    if (!this.dirReady) {
      await this.io(mkdir(dir, { recursive: true }), dir);
      this.dirReady = true;
    }
    const finalPath = finalPartPath(dir, context.runId, context.subtask, this.nextPart++, extension);
    const tmpPath = inProgressPath(finalPath);
    // 'wx': never overwrite; a name clash means runIds are not unique.
    const handle = await this.io(open(tmpPath, 'wx'), tmpPath);
    const part: OpenPart = { handle, finalPath, tmpPath, openedAt: this.settings.clock(), bytes: 0 };
    if (header !== '') {
      const data = Buffer.from(header);
      await this.io(writeFully(handle, data), tmpPath);
      part.bytes = data.length;
    }
    this.current = part;
    return part;
  }

  /** Closes the open part file durably; exactly-once keeps it for the next preCommit, at-least-once publishes it. */
  private async closeCurrent(): Promise<void> {
    const part = this.current;
    if (part === undefined) return;
    this.current = undefined;
    try {
      await part.handle.sync();
      await part.handle.close();
    } catch (error) {
      // Not synced, so never to be committed: nothing else will close or delete it once it is no longer current.
      await part.handle.close().catch(() => undefined);
      await rm(part.tmpPath, { force: true }).catch(() => undefined);
      throw this.failure(error, part.tmpPath);
    }
    if (this.settings.exactlyOnce) {
      this.closed.push({ finalPath: part.finalPath, tmpPath: part.tmpPath, bytes: part.bytes });
    } else {
      await this.io(rename(part.tmpPath, part.finalPath), part.tmpPath);
    }
  }

  /** Any I/O failure of the sink (ENOSPC, EIO, …) as SLC9120, naming the sink and the file. */
  private async io<T>(operation: Promise<T>, path: string): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw this.failure(error, path);
    }
  }

  private failure(error: unknown, path: string): DiagnosticError {
    const diagnostic = new DiagnosticError(Diagnostics.SinkWriteFailed, { uid: this.settings.context.uid, file: displayPath(path), reason: (error as Error).message });
    return Object.assign(diagnostic, { cause: error });
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

