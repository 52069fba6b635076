import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, TIMESTAMP3, decimal, type Field } from '../../compiler/types/sql-type.js';
import { createJsonlDecoder, createJsonlEncoder } from '../../runtime/connectors/formats/jsonl.js';
import { RowFormatError } from '../../runtime/connectors/formats/row-error.js';
import { RowKind } from '../../runtime/connectors/sink-connector.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'name', type: STRING, nullable: true },
  { name: 'price', type: decimal(10, 2), nullable: true },
  { name: 'ok', type: BOOLEAN, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: true },
  { name: 'score', type: DOUBLE, nullable: true },
  { name: 'n', type: INT, nullable: true },
];
const T = Date.UTC(2015, 6, 15, 1, 2, 3, 4);

function decodeError(line: string): RowFormatError {
  try {
    createJsonlDecoder(fields, 'in/orders.jsonl').decode(line, 7);
  } catch (error) {
    if (error instanceof RowFormatError) return error;
    throw error;
  }
  throw new Error(`decoded ${line}`);
}

describe('jsonl decoding', () => {
  const decoder = createJsonlDecoder(fields, 'in/orders.jsonl');

  it('matches fields by name, converts types and ignores other members', () => {
    const row = decoder.decode('{"n":3,"extra":[1],"ts":"2015-07-15 01:02:03.004","ok":"true","price":"12.345","name":"a","id":"42","score":1.5}', 1);
    expect(row).toEqual([42, 'a', 12.35, true, T, 1.5, 3]);
  });

  it('reads missing and null members of nullable fields as NULL, epoch-millisecond timestamps as is', () => {
    expect(decoder.decode(`{"id":1,"name":null,"ts":${T}}`, 1)).toEqual([1, null, null, null, T, null, null]);
  });

  it('names file, line and field of a bad value', () => {
    const error = decodeError('{"id":1,"n":"many"}');
    expect({ file: error.file, line: error.line, field: error.field }).toEqual({ file: 'in/orders.jsonl', line: 7, field: 'n' });
    expect(error.message).toMatchInlineSnapshot(`
      "in/orders.jsonl:7: field 'n': expected an INT, got "many"
      help: fix the input, or skip bad rows with 'format.ignore-parse-errors' = 'true' on the source"
    `);
  });

  it.each([
    ['{"name":"x"}', "field 'id': missing, but id BIGINT NOT NULL requires a value"],
    ['{"id":1', 'not valid JSON'],
    ['[1,2]', 'expected a JSON object per line'],
    ['{"id":1.5}', "field 'id': expected a BIGINT, got 1.5"],
    ['{"id":1,"n":3000000000}', "field 'n': 3000000000 is out of the range of INT (32 bits)"],
    ['{"id":1,"price":123456789}', "field 'price': 123456789 does not fit DECIMAL(10, 2)"],
    ['{"id":1,"ts":"yesterday"}', "field 'ts': expected a TIMESTAMP"],
    ['{"id":1,"ok":1}', "field 'ok': expected true or false, got 1"],
    ['{"id":18014398509481984}', 'beyond ±2^53'],
  ])('rejects %s', (line, message) => {
    expect(decodeError(line).message).toContain(message);
  });
});

describe('jsonl encoding', () => {
  it('writes fields by name with ISO-8601 UTC timestamps, and round-trips', () => {
    const row = [42, 'quote " and \n', 12.35, false, T, null, -1];
    const line = createJsonlEncoder(fields, false)(row, RowKind.INSERT);
    expect(line).toBe('{"id":42,"name":"quote \\" and \\n","price":12.35,"ok":false,"ts":"2015-07-15T01:02:03.004Z","score":null,"n":-1}');
    expect(createJsonlDecoder(fields, 'f').decode(line, 1)).toEqual(row);
  });

  it('puts the change kind first as "op" for upsert streams', () => {
    const encode = createJsonlEncoder(fields.slice(0, 2), true);
    expect(encode([1, 'a'], RowKind.UPDATE_BEFORE)).toBe('{"op":"-U","id":1,"name":"a"}');
    expect(encode([1, 'b'], RowKind.DELETE)).toBe('{"op":"-D","id":1,"name":"b"}');
  });
});
