import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIGINT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { createFileSource, type FileSourcePosition } from '../../connectors/file/source.js';
import { RowFormatError } from '../../runtime/connectors/formats/row-error.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import type { SourceConnector } from '../../runtime/connectors/source-connector.js';
import { appendSchema, readAll, useTempDirs } from './helpers.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'note', type: STRING, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: true },
];
const T = Date.UTC(2015, 6, 15);
const tempDir = useTempDirs();

function fileSource(options: Record<string, string>, chunkBytes?: number): SourceConnector {
  return createFileSource(new ConnectorOptions('file', options), appendSchema(fields), {}, chunkBytes);
}

async function readFirstSplit(source: SourceConnector, batch = 1000): Promise<unknown[][]> {
  const [split] = await source.enumerateSplits();
  return readAll(source.createReader(split!), batch);
}

describe('file source splits', () => {
  it("are a directory's visible regular files, sorted, one split each", async () => {
    const dir = await tempDir();
    for (const name of ['b.jsonl', 'a.jsonl', '.part-x.inprogress', '_SUCCESS']) await writeFile(join(dir, name), '');
    await mkdir(join(dir, 'sub'));
    const splits = await fileSource({ path: dir, format: 'jsonl' }).enumerateSplits();
    expect(splits.map((s) => s.id)).toEqual([join(dir, 'a.jsonl'), join(dir, 'b.jsonl')]);
  });

  it('fail on a missing path in bounded mode', async () => {
    const dir = await tempDir();
    await expect(fileSource({ path: join(dir, 'nope'), format: 'jsonl' }).enumerateSplits()).rejects.toThrow('does not exist');
  });

  it('end with a warning when their file was removed before it was read', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.jsonl'), '{"id":1}\n');
    const warnings: string[] = [];
    const source = createFileSource(new ConnectorOptions('file', { path: dir, format: 'jsonl' }), appendSchema(fields), {
      warn: (message) => warnings.push(message.replace(/^.*\//, '')),
    });
    const [split] = await source.enumerateSplits();
    await rm(join(dir, 'a.jsonl'));
    expect(await readAll(source.createReader(split!))).toEqual([]);
    expect(warnings).toEqual(['a.jsonl was removed before it was read']);
  });
});

describe('bounded file reading', () => {
  it('reads jsonl with blank lines, CRLF, a last line without newline, across small chunks', async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: i, note: `ünïcödé ${'x'.repeat(i % 37)}`, ts: T + i }));
    await writeFile(join(dir, 'in.jsonl'), `${lines.slice(0, 100).join('\r\n')}\n\n${lines.slice(100).join('\n')}`);
    for (const chunkBytes of [16, 1000, 65536]) {
      const rows = await readFirstSplit(fileSource({ path: join(dir, 'in.jsonl'), format: 'jsonl' }, chunkBytes), 7);
      expect(rows).toEqual(lines.map((_, i) => [i, `ünïcödé ${'x'.repeat(i % 37)}`, T + i]));
    }
  });

  it('reads csv with a header and quoted fields spanning lines and chunks', async () => {
    const dir = await tempDir();
    const path = join(dir, 'in.csv');
    await writeFile(path, `note,id,ts\n"two\nlines, ""quoted""",1,2015-07-15 00:00:00\nplain,2,\n"é\n\né",3,${T}`);
    const rows = await readFirstSplit(fileSource({ path, format: 'csv', 'csv.header': 'true' }, 8));
    expect(rows).toEqual([
      [1, 'two\nlines, "quoted"', T],
      [2, 'plain', null],
      [3, 'é\n\né', T],
    ]);
  });

  it('resumes exactly at a recorded position, csv header included', async () => {
    const dir = await tempDir();
    const path = join(dir, 'in.csv');
    const body = Array.from({ length: 50 }, (_, i) => `${i},"n\n${i}",`).join('\n');
    await writeFile(path, `id,note,ts\n${body}\n`);
    const source = fileSource({ path, format: 'csv', 'csv.header': 'true' }, 32);
    const [split] = await source.enumerateSplits();
    const whole = await readAll(source.createReader(split!));
    for (const cut of [1, 17, 49]) {
      const reader = source.createReader(split!);
      const head = (await reader.read(cut)).rows;
      const position = reader.position() as FileSourcePosition;
      await reader.close();
      expect(position.file).toBe(path);
      expect(position.line).toBe(2 + 2 * cut);
      const rest = await readAll(source.createReader(split!, JSON.parse(JSON.stringify(position))), 5);
      expect([...head, ...rest]).toEqual(whole);
    }
  });

  it('fails on a bad row naming file and line, or skips and counts it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"id":1}\n{"id":"x"}\n{"id":3}\n{oops\n{"id":5}\n');
    const strict = fileSource({ path, format: 'jsonl' });
    const [split] = await strict.enumerateSplits();
    const error = await readAll(strict.createReader(split!)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowFormatError);
    expect((error as RowFormatError).line).toBe(2);
    expect((error as RowFormatError).message).toMatch(/bad\.jsonl:2: field 'id': expected a BIGINT, got "x"/);

    const lenient = fileSource({ path, format: 'jsonl', 'format.ignore-parse-errors': 'true' });
    const reader = lenient.createReader((await lenient.enumerateSplits())[0]!);
    expect((await readAll(reader)).map((r) => r[0])).toEqual([1, 3, 5]);
    expect(reader.skippedRows).toBe(2);
  });
});
