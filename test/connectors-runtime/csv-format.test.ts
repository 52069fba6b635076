import { describe, expect, it } from 'vitest';
import { BIGINT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { createCsvDecoder, createCsvEncoder, csvHeader, splitCsvRecord } from '../../runtime/connectors/formats/csv.js';
import { RowFormatError } from '../../runtime/connectors/formats/row-error.js';
import { RowKind } from '../../runtime/connectors/sink-connector.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'note', type: STRING, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: true },
];
const comma = { delimiter: ',' };
const T = Date.UTC(2015, 6, 15);

function split(text: string, delimiter = ','): (string | null)[] {
  const out: (string | null)[] = [];
  return out.slice(0, splitCsvRecord(text, delimiter, out));
}

function decodeError(record: string, header?: string[]): RowFormatError {
  try {
    createCsvDecoder(fields, comma, 'data.csv', header).decode(record, 12);
  } catch (error) {
    if (error instanceof RowFormatError) return error;
    throw error;
  }
  throw new Error(`decoded ${record}`);
}

describe('csv records', () => {
  it('splits per RFC 4180, telling an empty field (NULL) from a quoted empty one', () => {
    expect(split('a,"b,c","say ""hi""",,""')).toEqual(['a', 'b,c', 'say "hi"', null, '']);
    expect(split('"multi\nline",x,')).toEqual(['multi\nline', 'x', null]);
    expect(split('a\tb', '\t')).toEqual(['a', 'b']);
  });

  it('rejects text after a closing quote and an unclosed quote', () => {
    expect(decodeError('1,"a"b,x').message).toContain('field 2 has text after its closing quote');
    expect(decodeError('1,"open').message).toContain('field 2 opens a quote that is never closed');
  });
});

describe('csv decoding', () => {
  it('matches columns by position, converting types', () => {
    const decoder = createCsvDecoder(fields, comma, 'data.csv');
    expect(decoder.decode('7,hello,2015-07-15 00:00:00', 1)).toEqual([7, 'hello', T]);
    expect(decoder.decode(`7,,${T}`, 1)).toEqual([7, null, T]);
    expect(decoder.decode('7,,', 1)).toEqual([7, null, null]);
  });

  it('matches columns by header name, in any order, extra columns ignored', () => {
    const decoder = createCsvDecoder(fields, comma, 'data.csv', ['other', 'ts', 'id', 'note']);
    expect(decoder.decode('x,,7,hi', 2)).toEqual([7, 'hi', null]);
  });

  it('refuses a header that lacks any column of the schema, naming them all', () => {
    expect(() => createCsvDecoder(fields, comma, 'data.csv', ['note'])).toThrow(
      "data.csv:1: the header row has no columns 'id', 'ts' (its columns: note)\n" +
        "help: the header row of a csv file must name every column of the source's schema (extra columns are ignored); set 'csv.header' = 'false' to match columns by position",
    );
    expect(() => createCsvDecoder(fields, comma, 'data.csv', ['id', 'note', 'time'])).toThrow("data.csv:1: the header row has no column 'ts' (its columns: id, note, time)");
  });

  it('names file, line, field and column of a bad value', () => {
    const error = decodeError('1,ok,not a time');
    expect({ line: error.line, field: error.field, column: error.column }).toEqual({ line: 12, field: 'ts', column: 3 });
    expect(error.message.split('\n')[0]).toBe(
      `data.csv:12: field 'ts' (column 3): expected a TIMESTAMP (ISO-8601 like '2015-07-15 00:00:00.000' or '2015-07-15T00:00:00Z', or epoch milliseconds), got "not a time"`,
    );
    expect(decodeError(',x,').message).toContain("field 'id' (column 1): missing, but id BIGINT NOT NULL requires a value");
    expect(decodeError('1,a,2,extra').message).toContain('data.csv:12: 4 columns, but the schema has 3');
    // Too few fields is as wrong as too many: a NULL is written as an empty field, not left out.
    expect(decodeError('1,a').message).toContain('data.csv:12: 2 columns, but the schema has 3');
    expect(decodeError('1', ['id', 'note', 'ts']).message).toContain('data.csv:12: 1 column, but the header row names 3');
  });
});

describe('csv encoding', () => {
  it('quotes only where needed and round-trips NULL, empty strings, quotes and line breaks', () => {
    const encode = createCsvEncoder(fields, comma, false);
    const decoder = createCsvDecoder(fields, comma, 'data.csv');
    const rows = [
      [1, 'plain', T],
      [2, null, null],
      [3, '', T + 1],
      [4, 'a,b "c"\nd', T],
    ];
    const lines = rows.map((row) => encode(row, RowKind.INSERT));
    expect(lines).toEqual(['1,plain,2015-07-15T00:00:00.000Z', '2,,', '3,"",2015-07-15T00:00:00.001Z', '4,"a,b ""c""\nd",2015-07-15T00:00:00.000Z']);
    expect(lines.map((line) => decoder.decode(line, 1))).toEqual(rows);
  });

  it('leads with the op column for upsert streams, in the header too', () => {
    expect(csvHeader(fields, { delimiter: ';' }, true)).toBe('op;id;note;ts');
    expect(createCsvEncoder(fields, { delimiter: ';' }, true)([1, 'x;y', null], RowKind.UPDATE_AFTER)).toBe('+U;1;"x;y";');
  });
});
