import { appendFile, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import { BIGINT, STRING, type Field } from '../../compiler/types/sql-type.js';
import { readCommitRecords } from '../../connectors/file/commit-records.js';
import { createFileSinkWriter, type FileSinkWriter } from '../../connectors/file/sink.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { RowKind, type SinkWriter } from '../../runtime/connectors/sink-connector.js';
import { appendSchema, useTempDirs } from './helpers.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'name', type: STRING, nullable: true },
];
const tempDir = useTempDirs();

function fileSink(dir: string, options: Record<string, string> = {}, run = 'r1', subtask = 0, schema: StreamSchema = appendSchema(fields), clock?: () => number): FileSinkWriter {
  return createFileSinkWriter(
    new ConnectorOptions('file', { path: dir, format: 'jsonl', ...options }),
    schema,
    { jobId: 'job', subtask, parallelism: 2, runId: run, uid: 'out', lineage: 'lineage-1' },
    clock === undefined ? {} : { clock },
  );
}

const ls = async (dir: string) => (await readdir(dir)).sort();
const visible = async (dir: string) => (await ls(dir)).filter((name) => !name.startsWith('.'));

async function writeRows(sink: SinkWriter, ...ids: number[]): Promise<void> {
  sink.write(ids.map((id) => [id, `n${id}`]));
  await sink.flush();
}

describe('exactly-once file sink', () => {
  it('keeps rows hidden until the checkpoint commits them, and commits idempotently', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir);
    await writeRows(sink, 1, 2);
    expect(await ls(dir)).toEqual(['.part-r1-0-0.jsonl.inprogress']);

    const committables = await sink.preCommit(1);
    expect(committables).toEqual([{ tmpPath: join(dir, '.part-r1-0-0.jsonl.pending-1'), finalPath: join(dir, 'part-r1-0-0.jsonl'), checkpointId: 1, bytes: 42 }]);
    // What a restore checks its checkpoint's committables against: the file shape, not just a checkpoint id.
    expect(sink.committableSchema.safeParse(JSON.parse(JSON.stringify(committables[0]))).success).toBe(true);
    expect(sink.committableSchema.safeParse({ checkpointId: 1 }).success).toBe(false);
    expect(await visible(dir)).toEqual([]);
    await writeRows(sink, 3);

    await sink.commit(committables);
    await sink.commit(committables);
    expect(await visible(dir)).toEqual(['part-r1-0-0.jsonl']);
    expect(await readFile(join(dir, 'part-r1-0-0.jsonl'), 'utf8')).toBe('{"id":1,"name":"n1"}\n{"id":2,"name":"n2"}\n');
    expect(await ls(dir)).toContain('.part-r1-0-1.jsonl.inprogress');
    await sink.abort();
  });

  it('fails to commit a pending file that vanished, naming it', async () => {
    const dir = await tempDir();
    const lost = { tmpPath: join(dir, '.part-r0-0-0.jsonl.pending-3'), finalPath: join(dir, 'part-r0-0-0.jsonl'), checkpointId: 3 };
    await expect(fileSink(dir).commit([lost])).rejects.toThrow(/cannot commit .*part-r0-0-0\.jsonl of checkpoint 3/);
  });

  it('rolls part files by size and by interval, all pending until the next checkpoint', async () => {
    const dir = await tempDir();
    let now = 0;
    const sink = fileSink(dir, { 'sink.rolling-policy.file-size': '30', 'sink.rolling-policy.rollover-interval': '1000' }, 'r1', 0, appendSchema(fields), () => now);
    await writeRows(sink, 1, 2); // 42 bytes: rolls
    await writeRows(sink, 3); // 21 bytes: stays open
    now = 1000;
    await writeRows(sink, 4); // open for 1 s: rolls
    expect(await visible(dir)).toEqual([]);
    const committables = await sink.preCommit(1);
    expect(committables.map((c) => c.finalPath)).toEqual([0, 1].map((n) => join(dir, `part-r1-0-${n}.jsonl`)));
    await sink.commit(committables);
    expect(await readFile(join(dir, 'part-r1-0-1.jsonl'), 'utf8')).toBe('{"id":3,"name":"n3"}\n{"id":4,"name":"n4"}\n');
  });

  it('aborts by deleting the files no checkpoint claimed', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir, { 'sink.rolling-policy.file-size': '1' });
    await writeRows(sink, 1);
    const claimed = await sink.preCommit(1);
    await writeRows(sink, 2);
    await writeRows(sink, 3);
    sink.write([[4, null]]);
    await sink.abort();
    expect(await ls(dir)).toEqual(['.part-r1-0-0.jsonl.pending-1']);
    await sink.commit(claimed);
    expect(await ls(dir)).toEqual(['.sluice-commits-out-0.jsonl', 'part-r1-0-0.jsonl']);
  });

  it("recovers: commits the restored checkpoint's files and deletes what came after it", async () => {
    const dir = await tempDir();
    const crashed = fileSink(dir);
    await writeRows(crashed, 1);
    const first = await crashed.preCommit(1);
    await writeRows(crashed, 2);
    await crashed.preCommit(2); // checkpoint 2 never completed
    // What the crash left of the next part file.
    await writeFile(join(dir, '.part-r1-0-2.jsonl.inprogress'), '{"id":3');
    // Pending files of checkpoint 1 that other subtasks' recover will commit, and unrelated files, stay
    // (subtask 2 of a run with parallelism 3 is this subtask's to clean after the rescale to 2, but only garbage).
    await writeFile(join(dir, '.part-r1-1-0.jsonl.pending-1'), '');
    await writeFile(join(dir, '.part-r1-2-0.jsonl.pending-1'), '');
    await writeFile(join(dir, 'notes.txt'), '');
    expect(await ls(dir)).toEqual([
      '.part-r1-0-0.jsonl.pending-1',
      '.part-r1-0-1.jsonl.pending-2',
      '.part-r1-0-2.jsonl.inprogress',
      '.part-r1-1-0.jsonl.pending-1',
      '.part-r1-2-0.jsonl.pending-1',
      'notes.txt',
    ]);

    const restored = fileSink(dir, {}, 'r2');
    await restored.recover(first, 1);
    await restored.recover(first, 1);
    expect(await ls(dir)).toEqual(['.part-r1-1-0.jsonl.pending-1', '.part-r1-2-0.jsonl.pending-1', '.sluice-commits-out-0.jsonl', 'notes.txt', 'part-r1-0-0.jsonl']);
    await writeRows(restored, 2);
    await restored.commit(await restored.preCommit(2));
    expect(await visible(dir)).toEqual(['notes.txt', 'part-r1-0-0.jsonl', 'part-r2-0-0.jsonl']);
  });

  it('records each commit durably before the rename, and refuses a pending file that lost bytes (SLC9121)', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir);
    await writeRows(sink, 1, 2);
    await sink.commit(await sink.preCommit(1));
    // A crash in the middle of appending the next record leaves a torn line; the next run's first commit cuts it off.
    await appendFile(join(dir, '.sluice-commits-out-0.jsonl'), '{"checkpointId":2,"lin');
    const next = fileSink(dir, {}, 'r2');
    await writeRows(next, 3);
    await next.commit(await next.preCommit(2));
    expect(await readCommitRecords(dir, 'out')).toEqual([
      { checkpointId: 1, lineage: 'lineage-1', subtask: 0, file: 'part-r1-0-0.jsonl', bytes: 42 },
      { checkpointId: 2, lineage: 'lineage-1', subtask: 0, file: 'part-r2-0-0.jsonl', bytes: 21 },
    ]);

    await writeRows(next, 4);
    const third = await next.preCommit(3);
    await truncate(third[0]!.tmpPath, 10);
    const refusal = await next.commit(third).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DiagnosticError);
    expect((refusal as DiagnosticError).code).toBe('SLC9121');
    expect((refusal as Error).message).toContain(`file sink 'out' cannot commit ${join(dir, 'part-r2-0-1.jsonl')} of checkpoint 3: the pending file has 10 bytes, 21 were written and synced`);
    expect(await visible(dir)).toEqual(['part-r1-0-0.jsonl', 'part-r2-0-0.jsonl']);
    expect(await readCommitRecords(dir, 'out')).toHaveLength(2);
  });

  it('a commit recorded but not renamed when the process died is finished by the restore with one record per file', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir);
    await writeRows(sink, 1, 2);
    const first = await sink.preCommit(1);
    // What a kill between the record's fsync and the rename leaves: the record written, the file still pending.
    const record = { checkpointId: 1, lineage: 'lineage-1', subtask: 0, file: 'part-r1-0-0.jsonl', bytes: 42 };
    await writeFile(join(dir, '.sluice-commits-out-0.jsonl'), `${JSON.stringify(record)}\n`);
    expect(await visible(dir)).toEqual([]);

    // Restored at parallelism 1 by another subtask number's log (a rescale), and again after a second kill.
    const restored = fileSink(dir, {}, 'r2', 1);
    await restored.recover(first, 1);
    await fileSink(dir, {}, 'r3').recover(first, 1);
    expect(await visible(dir)).toEqual(['part-r1-0-0.jsonl']);
    expect(await readCommitRecords(dir, 'out')).toEqual([record]);
    await writeRows(restored, 3);
    await restored.commit(await restored.preCommit(2));
    expect((await readCommitRecords(dir, 'out')).map((r) => r.file)).toEqual(['part-r1-0-0.jsonl', 'part-r2-1-0.jsonl']);
  });

  it('publishes everything at close when no checkpoint ran', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir, { 'sink.rolling-policy.file-size': '1' });
    await writeRows(sink, 1);
    sink.write([[2, null]]);
    await sink.close();
    expect(await ls(dir)).toEqual(['part-r1-0-0.jsonl', 'part-r1-0-1.jsonl']);
  });
});

describe('at-least-once file sink', () => {
  it('publishes each part file when it is closed, with nothing to commit', async () => {
    const dir = await tempDir();
    const sink = fileSink(dir, { 'sink.semantic': 'at-least-once' });
    await writeRows(sink, 1);
    expect(await visible(dir)).toEqual([]);
    expect(await sink.preCommit(1)).toEqual([]);
    expect(await ls(dir)).toEqual(['part-r1-0-0.jsonl']);
  });
});

describe('file sink formats', () => {
  it('writes csv with a header per part file and the op column for upsert streams', async () => {
    const dir = await tempDir();
    const upsert: StreamSchema = { fields, changelog: 'upsert', upsertKey: [0] };
    const sink = fileSink(dir, { format: 'csv', 'csv.header': 'true' }, 'r1', 1, upsert);
    sink.write(
      [
        [1, 'a'],
        [1, 'a'],
        [1, 'b,c'],
      ],
      Uint8Array.of(RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER),
    );
    await sink.commit(await sink.preCommit(1));
    expect(await readFile(join(dir, 'part-r1-1-0.csv'), 'utf8')).toBe('op,id,name\n+I,1,a\n-U,1,a\n+U,1,"b,c"\n');
  });
});
