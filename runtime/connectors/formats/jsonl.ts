import type { Field } from '../../../compiler/types/sql-type.js';
import { ROW_KIND_SHORT } from '../sink-connector.js';
import { RowFormatError, ValueProblem } from './row-error.js';
import { formatTimestamp } from './timestamp.js';
import { describeField, valueDecoder, type ValueDecoder } from './values.js';

/**
 * JSON Lines: one JSON object per line, fields matched by name (other members are ignored). A missing or null
 * member is NULL for a nullable field and an error for a NOT NULL one.
 */
export interface JsonlDecoder {
  /** Throws RowFormatError naming `file` and `lineNumber`. */
  decode(line: string, lineNumber: number): unknown[];
}

export function createJsonlDecoder(fields: readonly Field[], file: string): JsonlDecoder {
  const names = fields.map((f) => f.name);
  const decoders: ValueDecoder[] = fields.map((f) => valueDecoder(f.type));
  const nullable = fields.map((f) => f.nullable);
  const count = fields.length;
  return {
    decode(line, lineNumber) {
      let object: unknown;
      try {
        object = JSON.parse(line);
      } catch (error) {
        throw new RowFormatError(file, lineNumber, undefined, `not valid JSON (${(error as Error).message})`);
      }
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        throw new RowFormatError(file, lineNumber, undefined, 'expected a JSON object per line');
      }
      const record = object as Record<string, unknown>;
      const row = new Array<unknown>(count);
      for (let i = 0; i < count; i++) {
        const value = record[names[i]!];
        if (value === undefined || value === null) {
          if (!nullable[i]) {
            throw new RowFormatError(file, lineNumber, names[i], `missing, but ${describeField(fields[i]!)} requires a value`);
          }
          row[i] = null;
          continue;
        }
        try {
          row[i] = decoders[i]!(value);
        } catch (problem) {
          if (!(problem instanceof ValueProblem)) throw problem;
          throw new RowFormatError(file, lineNumber, names[i], problem.message);
        }
      }
      return row;
    },
  };
}

/** Encodes a row (and, for upsert streams, its kind as a leading `op` member) as one JSON line without the newline. */
export type RowEncoder = (row: readonly unknown[], kind: number) => string;

export function createJsonlEncoder(fields: readonly Field[], withOp: boolean): RowEncoder {
  // Member prefixes are built once: `"a":`, `,"b":`; with op the first member is `"op"`.
  const prefixes = fields.map((f, i) => `${i === 0 && !withOp ? '' : ','}${JSON.stringify(f.name)}:`);
  const isTimestamp = fields.map((f) => f.type.name === 'TIMESTAMP');
  const opPrefixes = ROW_KIND_SHORT.map((op) => `{"op":"${op}"`);
  const count = fields.length;
  return (row, kind) => {
    let out = withOp ? opPrefixes[kind]! : '{';
    for (let i = 0; i < count; i++) {
      const value = row[i];
      out += prefixes[i]!;
      if (value === null || value === undefined) out += 'null';
      else if (isTimestamp[i]) out += `"${formatTimestamp(value as number)}"`;
      else out += JSON.stringify(value);
    }
    return out + '}';
  };
}
