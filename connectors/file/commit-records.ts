import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { listDirectory } from '../../runtime/list-directory.js';
import { fileSafeName } from '../../runtime/checkpoint/storage/checkpoint-names.js';
import { writeFully } from './write-fully.js';

/**
 * What an exactly-once file sink committed, kept next to its output: before renaming pending files to their final
 * names, each subtask appends (and fsyncs) one JSON line per file to `.sluice-commits-<uid>-<subtask>.jsonl` in
 * the sink directory. A restore reads them to know which checkpoint's output is already visible
 * (execution/committed-output-check.ts). A crash while appending leaves a torn last line: readers ignore it and
 * the next append cuts it off first. Each committed file has one record: a commit retried after a crash between
 * the append and the rename renames the file without recording it again (sink.ts, recover).
 */
export const CommitRecordSchema = z.object({
  /** The checkpoint whose barrier closed the file: its rows are those before that barrier. */
  checkpointId: z.number().int().min(1),
  lineage: z.string().min(1),
  subtask: z.number().int().min(0),
  /** The committed file's name in the sink directory. */
  file: z.string().min(1),
  bytes: z.number().int().min(0),
});
export type CommitRecord = z.infer<typeof CommitRecordSchema>;

const PREFIX = '.sluice-commits-';

export function commitRecordsName(uid: string, subtask: number): string {
  return `${PREFIX}${fileSafeName(uid)}-${subtask}.jsonl`;
}

/** Appends one subtask's commit records durably. */
export class CommitRecordLog {
  private checkedTail = false;

  constructor(readonly path: string) {}

  async append(records: readonly CommitRecord[]): Promise<void> {
    if (records.length === 0) return;
    const handle = await open(this.path, 'a+');
    try {
      if (!this.checkedTail) {
        await cutTornLine(handle);
        this.checkedTail = true;
      }
      await writeFully(handle, Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join('')));
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Cuts a last line without its newline (an append a crash interrupted), so the next line starts on its own. */
async function cutTornLine(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  const text = await handle.readFile();
  const end = text.lastIndexOf(0x0a) + 1;
  if (end < size) await handle.truncate(end);
}

/**
 * Every commit record of sink `uid` in `dir` (all subtasks, any parallelism it ran with). A torn last line is
 * ignored; a damaged line elsewhere is an error naming the file and line.
 */
export async function readCommitRecords(dir: string, uid: string): Promise<CommitRecord[]> {
  const names = await listDirectory(dir);
  const ours = new RegExp(`^${escapeRegExp(`${PREFIX}${fileSafeName(uid)}-`)}\\d+\\.jsonl$`);
  const records: CommitRecord[] = [];
  for (const name of names.filter((n) => ours.test(n)).sort()) {
    const lines = (await readFile(join(dir, name), 'utf8')).split('\n');
    // The text after the last newline is '' or a torn line.
    for (let i = 0; i < lines.length - 1; i++) {
      const parsed = parseLine(lines[i]!);
      if (parsed === undefined) {
        throw new Error(`the commit records ${join(dir, name)} are damaged at line ${i + 1}: it is not a commit record; restore that file or remove the line`);
      }
      records.push(parsed);
    }
  }
  return records;
}

function parseLine(line: string): CommitRecord | undefined {
  try {
    const parsed = CommitRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
