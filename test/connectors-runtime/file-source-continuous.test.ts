import { appendFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIGINT, type Field } from '../../compiler/types/sql-type.js';
import { createFileSource, type FileSourcePosition } from '../../connectors/file/source.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SplitReader } from '../../runtime/connectors/source-connector.js';
import { appendSchema, readAll, useTempDirs } from './helpers.js';

const fields: Field[] = [{ name: 'id', type: BIGINT, nullable: false }];
const tempDir = useTempDirs();

function continuousSource(path: string, warnings: string[] = [], options: Record<string, string> = {}) {
  return createFileSource(
    new ConnectorOptions('file', { path, format: 'jsonl', mode: 'continuous', 'source.monitor-interval': '250', ...options }),
    appendSchema(fields),
    { warn: (message) => warnings.push(message.replace(/\S*\//g, '')) },
  );
}

/** Reads until the reader goes idle (continuous); the rows. */
async function readUntilIdle(reader: SplitReader): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (;;) {
    const result = await reader.read(2);
    rows.push(...result.rows);
    if (result.status !== 'more') return rows;
  }
}

describe('continuous file reading', () => {
  it('never ends, waits for the newline of a last line, and picks up appended lines', async () => {
    const dir = await tempDir();
    const path = join(dir, 'log.jsonl');
    await writeFile(path, '{"id":1}\n{"id":2');
    const source = continuousSource(path);
    expect(source.bounded).toBe(false);
    const reader = source.createReader((await source.enumerateSplits())[0]!);

    const first = await reader.read(100);
    expect(first).toEqual({ rows: [[1]], status: 'idle', retryAfterMs: 250 });
    expect(reader.position()).toMatchObject({ byteOffset: 9, line: 2 });
    expect((await reader.read(100)).rows).toEqual([]);

    await appendFile(path, '}\n{"id":3}\n');
    expect(await reader.read(100)).toMatchObject({ rows: [[2], [3]], status: 'idle' });

    // A reader restored at the position continues with what is appended later.
    const resumed = source.createReader((await source.enumerateSplits())[0]!, reader.position());
    await appendFile(path, '{"id":4}\n');
    expect((await resumed.read(100)).rows).toEqual([[4]]);
    await Promise.all([reader.close(), resumed.close()]);
  });

  it('discovers new files of the directory, each once, and tolerates a directory that does not exist yet', async () => {
    const dir = await tempDir();
    const missing = continuousSource(join(dir, 'later'));
    expect(await missing.enumerateSplits()).toEqual([]);
    expect(missing.discoveryIntervalMs).toBe(250);

    await writeFile(join(dir, 'a.jsonl'), '{"id":1}\n');
    const source = continuousSource(dir);
    expect((await source.enumerateSplits()).map((s) => s.id)).toEqual([join(dir, 'a.jsonl')]);
    expect(await source.discoverNewSplits!()).toEqual([]);

    await writeFile(join(dir, 'b.jsonl'), '{"id":2}\n');
    await writeFile(join(dir, '.b.jsonl.inprogress'), '{"id":3}\n');
    const added = await source.discoverNewSplits!();
    expect(added.map((s) => s.id)).toEqual([join(dir, 'b.jsonl')]);
    expect(await source.discoverNewSplits!()).toEqual([]);
    const reader = source.createReader(added[0]!);
    expect((await reader.read(10)).rows).toEqual([[2]]);
    await reader.close();
  });
});

describe('log rotation and removed files (continuous)', () => {
  it('reads a file truncated in place (copytruncate) again from its start, csv header included, and warns', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.csv');
    await writeFile(path, 'id\n1\n2\n3\n');
    const warnings: string[] = [];
    const source = continuousSource(path, warnings, { format: 'csv' });
    const reader = source.createReader((await source.enumerateSplits())[0]!);
    expect(await readUntilIdle(reader)).toEqual([[1], [2], [3]]);
    await truncate(path, 0);
    await appendFile(path, 'id\n4\n');
    expect(await readUntilIdle(reader)).toEqual([[4]]);
    expect(warnings).toEqual(['app.csv was truncated to 5 bytes after 9 had been read (copytruncate log rotation?): reading it again from the start']);
    expect(reader.position()).toMatchObject({ byteOffset: 5, line: 3, size: 5 });
    await reader.close();
  });

  it('reads a renamed file to its end, then the new file under the path from its start', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, '{"id":1}\n');
    const warnings: string[] = [];
    const source = continuousSource(path, warnings);
    const reader = source.createReader((await source.enumerateSplits())[0]!);
    expect(await readUntilIdle(reader)).toEqual([[1]]);
    // Rotation as logrotate does it: the writer's last line lands in the renamed file, then a new file starts.
    await appendFile(path, '{"id":2}\n{"id":3}');
    await rename(path, join(dir, 'app.log.1'));
    await writeFile(path, '{"id":4}\n');
    expect(await readUntilIdle(reader)).toEqual([[2], [3], [4]]);
    expect(warnings).toEqual(['app.log was replaced by another file (rename log rotation?): reading the old file to its end, then the new one from the start']);
    await reader.close();
  });

  it('is done with a removed file, rows of its incomplete last line included, and reads a new file under its path', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, '{"id":1}\n{"id":2}');
    const warnings: string[] = [];
    const source = continuousSource(path, warnings);
    const split = (await source.enumerateSplits())[0]!;
    const reader = source.createReader(split);
    expect(await readUntilIdle(reader)).toEqual([[1]]);
    await rm(path);
    expect(await readUntilIdle(reader)).toEqual([[2]]);
    expect(await reader.read(10)).toEqual({ rows: [], status: 'idle', retryAfterMs: 250 });
    const removed = reader.position();
    expect(removed).toEqual({ file: path, byteOffset: 0, line: 1, size: 0, removed: true });
    // So does a reader restored there, without an error.
    const restored = source.createReader(split, removed);
    expect(await restored.read(10)).toEqual({ rows: [], status: 'idle', retryAfterMs: 250 });
    await writeFile(path, '{"id":3}\n');
    expect(await readUntilIdle(reader)).toEqual([[3]]);
    expect(await readUntilIdle(restored)).toEqual([[3]]);
    expect(warnings).toEqual([]);
    await Promise.all([reader.close(), restored.close()]);
  });
});

describe('a file renamed inside a watched directory', () => {
  it('is read as a new file, with a warning that its rows are read again', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'app.log'), '{"id":1}\n');
    await writeFile(join(dir, 'other.log'), '{"id":2}\n');
    const warnings: string[] = [];
    const source = continuousSource(dir, warnings);
    expect(await source.enumerateSplits()).toHaveLength(2);
    await rename(join(dir, 'app.log'), join(dir, 'app.log.1'));
    await writeFile(join(dir, 'app.log'), '{"id":3}\n');
    await writeFile(join(dir, 'new.log'), '{"id":4}\n');
    const added = await source.discoverNewSplits!();
    expect(added).toEqual([{ id: join(dir, 'app.log.1'), path: join(dir, 'app.log.1'), renamedFrom: join(dir, 'app.log') }, { id: join(dir, 'new.log'), path: join(dir, 'new.log') }]);
    const readers = added.map((split) => source.createReader(split));
    expect(await Promise.all(readers.map(readUntilIdle))).toEqual([[[1]], [[4]]]);
    expect(warnings).toEqual([
      "app.log.1 is app.log renamed (log rotation?): it is read as a new file, so rows read from it under the old name are read again; rotate logs to a name starting with '.' or '_', or to another directory",
    ]);
    // A restored reader has said so already.
    await readers[0]!.close();
    source.createReader(added[0]!, readers[0]!.position());
    expect(warnings).toHaveLength(1);
    await Promise.all(readers.map((reader) => reader.close()));
  });
});

describe('restoring a file reader after the file changed', () => {
  async function readTo(path: string, warnings: string[], options: Record<string, string> = {}): Promise<FileSourcePosition> {
    const source = continuousSource(path, warnings, options);
    const reader = source.createReader((await source.enumerateSplits())[0]!);
    await readUntilIdle(reader);
    await reader.close();
    return reader.position() as FileSourcePosition;
  }

  async function resumeAt(path: string, position: FileSourcePosition, warnings: string[], options: Record<string, string> = {}): Promise<unknown[][]> {
    const source = continuousSource(path, warnings, options);
    const reader = source.createReader((await source.enumerateSplits())[0] ?? { id: path, path }, position);
    try {
      return await readUntilIdle(reader);
    } finally {
      await reader.close();
    }
  }

  it('is done with a file read to its end and removed since, and warns when some of it was never read', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, '{"id":1}\n{"id":2}');
    const warnings: string[] = [];
    const position = await readTo(path, warnings);
    expect(position).toMatchObject({ byteOffset: 9, line: 2, size: 17 });
    expect(position.ino).toMatch(/^\d+$/);
    await rm(path);
    expect(await resumeAt(path, { ...position, size: 9 }, warnings)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(await resumeAt(path, position, warnings)).toEqual([]);
    expect(warnings).toEqual(['app.log was removed with 8 bytes after byte 9 never read']);
    // Bounded: the split ends.
    const bounded = createFileSource(new ConnectorOptions('file', { path, format: 'jsonl' }), appendSchema(fields), { warn: () => {} });
    expect(await readAll(bounded.createReader({ id: path, path } as never, position))).toEqual([]);
  });

  it('reads a file truncated or replaced since from its start, and warns', async () => {
    const dir = await tempDir();
    const path = join(dir, 'app.log');
    await writeFile(path, '{"id":1}\n{"id":2}\n');
    const warnings: string[] = [];
    const position = await readTo(path, warnings);
    await truncate(path, 0);
    await appendFile(path, '{"id":3}\n');
    expect(await resumeAt(path, position, warnings)).toEqual([[3]]);
    await rename(path, join(dir, 'app.log.1'));
    await writeFile(path, '{"id":4}\n{"id":5}\n{"id":6}\n');
    expect(await resumeAt(path, position, warnings)).toEqual([[4], [5], [6]]);
    // A position of an older version, without the file's identity, still resumes where it says.
    const { dev: _dev, ino: _ino, size: _size, ...old } = position;
    expect(await resumeAt(path, old, warnings)).toEqual([[6]]);
    expect(warnings).toEqual([
      'app.log has 9 bytes, fewer than the 18 read before (truncated by copytruncate log rotation?): reading it again from the start',
      'app.log is not the file that was read up to byte 18 before (replaced by rename log rotation?): reading it from the start',
    ]);
  });
});
