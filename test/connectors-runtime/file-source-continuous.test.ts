import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIGINT, type Field } from '../../compiler/types/sql-type.js';
import { createFileSource } from '../../runtime/connectors/file/source.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { appendSchema, useTempDirs } from './helpers.js';

const fields: Field[] = [{ name: 'id', type: BIGINT, nullable: false }];
const tempDir = useTempDirs();

function continuousSource(path: string) {
  return createFileSource(new ConnectorOptions('file', { path, format: 'jsonl', mode: 'continuous', 'source.monitor-interval': '250' }), appendSchema(fields));
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
