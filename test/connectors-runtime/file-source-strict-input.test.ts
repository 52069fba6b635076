import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIGINT, DOUBLE, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { createFileSource } from '../../connectors/file/source.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { runInProcess } from '../run/run-in-process.js';
import { appendSchema, readAll, useTempDirs } from './helpers.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'note', type: STRING, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: true },
];
const T = Date.UTC(2015, 6, 15);
const HELP = "help: fix the input, or skip bad rows with 'format.ignore-parse-errors' = 'true' on the source";
const tempDir = useTempDirs();

/** Reads `content` as the only file of a source with these options; resolves to the rows and the skipped count. */
async function read(
  content: Buffer | string,
  options: Record<string, string>,
  chunkBytes?: number,
  schema: readonly Field[] = fields,
): Promise<{ rows: unknown[][]; skipped: number }> {
  const dir = await tempDir();
  const path = join(dir, `in.${options['format']}`);
  await writeFile(path, content);
  const source = createFileSource(new ConnectorOptions('file', { path, ...options }), appendSchema(schema), {}, chunkBytes);
  const reader = source.createReader((await source.enumerateSplits())[0]!);
  const rows = await readAll(reader, 3);
  return { rows, skipped: reader.skippedRows };
}

/** The first line of the error reading `content` fails with, the file shown by its base name. */
async function failure(content: Buffer | string, options: Record<string, string>, chunkBytes?: number, schema?: readonly Field[]): Promise<string> {
  try {
    await read(content, options, chunkBytes, schema);
  } catch (error) {
    return (error as Error).message.replace(/^.*\/(in\.\w+)/, '$1');
  }
  throw new Error('read without an error');
}

const jsonl = { format: 'jsonl' };
const csv = { format: 'csv' };
const ignoring = { 'format.ignore-parse-errors': 'true' };

describe('invalid UTF-8', () => {
  // Line 3 holds a Latin-1 'é' (0xE9): lines 1 and 2 are bytes 0-36, and 0xE9 is at 37 + 19 = 56.
  const latin1 = Buffer.concat([Buffer.from('{"id":1}\n{"id":2,"note":"caf\u00e9 \u20ac"}\n{"id":3,"note":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n{"id":4}\n')]);

  it('fails naming file, line and byte offset, in every chunking', async () => {
    expect(Buffer.from('{"id":1}\n{"id":2,"note":"caf\u00e9 \u20ac"}\n').length).toBe(37);
    for (const chunkBytes of [8, 40, 65536]) {
      expect(await failure(latin1, jsonl, chunkBytes)).toBe(
        'in.jsonl:3: not valid UTF-8: byte offset 56 of the file is not part of a UTF-8 character; Sluice reads text files as UTF-8 (convert the file, e.g. with iconv)\n' +
          HELP,
      );
    }
  });

  it('skips and counts the row when parse errors are ignored, and keeps a U+FFFD spelled correctly', async () => {
    expect(await read(latin1, { ...jsonl, ...ignoring })).toEqual({ rows: [[1, null, null], [2, 'café €', null], [4, null, null]], skipped: 1 });
    expect(await read('{"id":1,"note":"\u00e9\ufffd"}\n', jsonl)).toEqual({ rows: [[1, '\u00e9\ufffd', null]], skipped: 0 });
  });

  it('catches truncated and overlong sequences and lone continuation bytes, in csv too', async () => {
    const bad = (bytes: number[]) => Buffer.concat([Buffer.from('id,note,ts\n1,ok,\n2,'), Buffer.from(bytes), Buffer.from(',\n')]);
    for (const bytes of [[0xe2, 0x82], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      expect(await failure(bad(bytes), csv, 8)).toMatch(/^in\.csv:3: not valid UTF-8: byte offset 19 of the file/);
    }
    const header = Buffer.concat([Buffer.from('id,n'), Buffer.from([0xf6]), Buffer.from('te,ts\n1,a,\n')]);
    expect(await failure(header, { ...csv, ...ignoring })).toMatch(/^in\.csv:1: not valid UTF-8: byte offset 4 of the file .*\nhelp: the header row of a csv file/);
  });
});

describe('byte order mark and blank lines', () => {
  it('strips a UTF-8 byte order mark at the start of a file, and resumes after it', async () => {
    expect((await read('\ufeff{"id":1}\n{"id":2}\n', jsonl)).rows).toEqual([[1, null, null], [2, null, null]]);
    expect((await read('\ufeffid,note,ts\n1,a,\n', csv, 4)).rows).toEqual([[1, 'a', null]]);
    const dir = await tempDir();
    const path = join(dir, 'in.csv');
    await writeFile(path, '\ufeffid,note,ts\n1,a,\n2,b,\n');
    const source = createFileSource(new ConnectorOptions('file', { path, format: 'csv' }), appendSchema(fields));
    const split = (await source.enumerateSplits())[0]!;
    const first = source.createReader(split);
    expect((await first.read(1)).rows).toEqual([[1, 'a', null]]);
    expect(first.position()).toMatchObject({ byteOffset: 19, line: 3 });
    expect(await readAll(source.createReader(split, first.position()))).toEqual([[2, 'b', null]]);
    await first.close();
  });

  it('skips whitespace-only jsonl lines like empty ones; in csv whitespace is data', async () => {
    expect((await read('{"id":1}\n   \n\t\r\n\n{"id":2}\n', jsonl)).rows).toEqual([[1, null, null], [2, null, null]]);
    expect((await read('note\n  \n', csv, undefined, [fields[1]!])).rows).toEqual([['  ']]);
  });
});

describe('csv columns', () => {
  it('refuses a header that does not name every column, even when parse errors are ignored', async () => {
    expect(await failure('a,b\n1,2\n', { ...csv, ...ignoring })).toBe(
      "in.csv:1: the header row has no columns 'id', 'note', 'ts' (its columns: a, b)\n" +
        "help: the header row of a csv file must name every column of the source's schema (extra columns are ignored); set 'csv.header' = 'false' to match columns by position",
    );
  });

  it('fails a row with too few fields like one with too many, or skips it', async () => {
    expect(await failure('id,note,ts\n1,a,\n2,b\n', csv)).toBe(`in.csv:3: 2 columns, but the header row names 3\n${HELP}`);
    expect(await failure('1,a,\n2\n', { ...csv, 'csv.header': 'false' })).toBe(`in.csv:2: 1 column, but the schema has 3\n${HELP}`);
    expect(await read('id,note,ts\n1,a,\n2,b\n3,c,\n', { ...csv, ...ignoring })).toEqual({ rows: [[1, 'a', null], [3, 'c', null]], skipped: 1 });
  });
});

describe('values out of range', () => {
  it('refuses timestamps outside the Date range at the source, naming field and line', async () => {
    const range = 'is out of the range of TIMESTAMP (epoch milliseconds within ±8.64e15, years -271821 to 275760)';
    expect(await failure('{"id":1,"ts":-1e20}\n', jsonl)).toBe(`in.jsonl:1: field 'ts': -100000000000000000000 ${range}\n${HELP}`);
    expect(await failure('{"id":1,"ts":8640000000000000}\n{"id":2,"ts":8640000000000001}\n', jsonl)).toBe(`in.jsonl:2: field 'ts': 8640000000000001 ${range}\n${HELP}`);
    expect(await failure('{"id":1,"ts":1e400}\n', jsonl)).toBe(`in.jsonl:1: field 'ts': a number beyond ±1.8e308 ${range}\n${HELP}`);
    expect(await failure('id,note,ts\n1,,-8640000000000001\n', csv)).toBe(`in.csv:2: field 'ts' (column 3): "-8640000000000001" ${range}\n${HELP}`);
    expect((await read('{"id":1,"ts":-8640000000000000}\n', jsonl)).rows).toEqual([[1, null, -8.64e15]]);
  });

  it('says a JSON number beyond a double is out of range, not null', async () => {
    expect(await failure('{"id":1e400}\n', jsonl)).toBe(`in.jsonl:1: field 'id': a number beyond ±1.8e308 is out of the range of a BIGINT\n${HELP}`);
    const price: Field[] = [{ name: 'price', type: DOUBLE, nullable: true }];
    expect(await failure('{"price":-1e309}\n', jsonl, undefined, price)).toBe(`in.jsonl:1: field 'price': a number beyond ±1.8e308 is out of the range of a DOUBLE\n${HELP}`);
    expect(await failure('price\n1e400\n', csv, undefined, price)).toBe(`in.csv:2: field 'price' (column 1): a number beyond ±1.8e308 is out of the range of a DOUBLE\n${HELP}`);
    expect((await read('price\nInfinity\n-Infinity\n', csv, undefined, price)).rows).toEqual([[Infinity], [-Infinity]]);
  });
});

describe('sluice run on bad input', () => {
  it("names the file that failed as the rows' origin, not the one read before it", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'in', 'a.jsonl'), '{"id":1}\n{"id":2}\n');
    await writeFile(join(dir, 'in', 'b.jsonl'), '{"id":"three"}\n');
    await writeFile(
      join(dir, 'job.pipe'),
      `CREATE SOURCE s (id BIGINT) WITH ('connector' = 'file', 'path' = '${join(dir, 'in')}', 'format' = 'jsonl') UID 's';\n` +
        "CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';\nINSERT INTO out FROM s;\n",
    );
    const { code, stderr } = await runInProcess(join(dir, 'job.pipe'), {}, { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain(`in/b.jsonl:1: field 'id': expected a BIGINT, got "three"`);
    expect(stderr).toMatch(/^ {2}rows from: source split '.*\/in\/b\.jsonl' after position \{"file":".*\/in\/b\.jsonl","byteOffset":0,"line":1\}$/m);
  });
});
