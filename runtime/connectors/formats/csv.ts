import type { Field } from '../../../compiler/types/sql-type.js';
import { ROW_KIND_SHORT } from '../sink-connector.js';
import type { RowEncoder } from './jsonl.js';
import { RowFormatError, ValueProblem } from './row-error.js';
import { describeField, valueDecoder, valueFormatter, type ValueDecoder } from './values.js';

/**
 * CSV per RFC 4180: fields separated by a one-character delimiter, quoted with `"` when they contain the
 * delimiter, a quote (doubled) or a line break. An empty unquoted field is NULL and `""` is the empty string, so
 * that NULL and '' both survive a round trip. Columns match the schema by position, or by name when the file has
 * a header row (`'csv.header' = 'true'`).
 */
export interface CsvOptions {
  readonly delimiter: string;
}

const QUOTE = 34;

/**
 * Splits one record (without its line terminator) into `out`; an unquoted empty field becomes null. Returns the
 * number of fields. Throws ValueProblem for a malformed quoted field.
 */
export function splitCsvRecord(text: string, delimiter: string, out: (string | null)[]): number {
  const delimiterCode = delimiter.charCodeAt(0);
  let count = 0;
  let i = 0;
  const n = text.length;
  for (;;) {
    if (i < n && text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) throw new ValueProblem(`field ${count + 1} opens a quote that is never closed`);
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && text.charCodeAt(i) !== delimiterCode) {
        throw new ValueProblem(`field ${count + 1} has text after its closing quote; quote the whole field and double inner quotes`);
      }
      out[count++] = value;
    } else {
      let end = text.indexOf(delimiter, i);
      if (end === -1) end = n;
      out[count++] = end === i ? null : text.slice(i, end);
      i = end;
    }
    if (i >= n) return count;
    i++; // the delimiter
    if (i === n) {
      out[count++] = null;
      return count;
    }
  }
}

/**
 * A header row the source cannot use. Not a RowFormatError: without the header no row of the file can be read,
 * so it fails the job even when parse errors are ignored.
 */
export function csvHeaderError(file: string, line: number, problem: string): Error {
  return new Error(
    `${file}:${line}: ${problem}\n` +
      `help: the header row of a csv file must name every column of the source's schema (extra columns are ignored); set 'csv.header' = 'false' to match columns by position`,
  );
}

export interface CsvDecoder {
  /** Throws RowFormatError naming `file` and `lineNumber`. */
  decode(record: string, lineNumber: number): unknown[];
}

/**
 * `header`: the column names of the file's header row, when it has one; each schema field then reads the column
 * of its name, and a header lacking any of them is refused (csvHeaderError) naming the missing ones: a
 * file of another layout would otherwise turn into rows of NULLs. Extra columns are ignored.
 */
export function createCsvDecoder(
  fields: readonly Field[],
  options: CsvOptions,
  file: string,
  header?: readonly string[],
): CsvDecoder {
  const decoders: ValueDecoder[] = fields.map((f) => valueDecoder(f.type));
  const columnOf = fields.map((f, i) => (header === undefined ? i : header.indexOf(f.name)));
  if (header !== undefined) {
    const missing = fields.filter((_, i) => columnOf[i] === -1).map((f) => `'${f.name}'`);
    if (missing.length > 0) {
      throw csvHeaderError(file, 1, `the header row has no column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (its columns: ${header.join(', ')})`);
    }
  }
  const expectedColumns = header === undefined ? fields.length : header.length;
  const cells: (string | null)[] = [];
  return {
    decode(record, lineNumber) {
      let count: number;
      try {
        count = splitCsvRecord(record, options.delimiter, cells);
      } catch (problem) {
        if (!(problem instanceof ValueProblem)) throw problem;
        throw new RowFormatError(file, lineNumber, undefined, problem.message);
      }
      if (count !== expectedColumns) {
        throw new RowFormatError(file, lineNumber, undefined, `${count} column${count === 1 ? '' : 's'}, but ${header === undefined ? 'the schema has' : 'the header row names'} ${expectedColumns}`);
      }
      const row = new Array<unknown>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const column = columnOf[i]!;
        const cell = cells[column]!;
        const field = fields[i]!;
        if (cell === null) {
          if (field.nullable) row[i] = null;
          else if (field.type.name === 'STRING') row[i] = '';
          else throw new RowFormatError(file, lineNumber, field.name, `missing, but ${describeField(field)} requires a value`, column + 1);
          continue;
        }
        try {
          row[i] = decoders[i]!(cell);
        } catch (problem) {
          if (!(problem instanceof ValueProblem)) throw problem;
          throw new RowFormatError(file, lineNumber, field.name, problem.message, column + 1);
        }
      }
      return row;
    },
  };
}

function quoteIfNeeded(text: string, delimiter: string): string {
  if (text === '') return '""';
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/** The header row (without newline): the field names, after `op` for upsert streams. */
export function csvHeader(fields: readonly Field[], options: CsvOptions, withOp: boolean): string {
  const names = fields.map((f) => quoteIfNeeded(f.name, options.delimiter));
  return (withOp ? ['op', ...names] : names).join(options.delimiter);
}

export function createCsvEncoder(fields: readonly Field[], options: CsvOptions, withOp: boolean): RowEncoder {
  const { delimiter } = options;
  const formatters = fields.map((f) => valueFormatter(f.type));
  const isString = fields.map((f) => f.type.name === 'STRING');
  const count = fields.length;
  return (row, kind) => {
    let out = withOp ? ROW_KIND_SHORT[kind]! : '';
    for (let i = 0; i < count; i++) {
      if (i > 0 || withOp) out += delimiter;
      const value = row[i];
      if (value === null || value === undefined) continue;
      out += isString[i] ? quoteIfNeeded(value as string, delimiter) : formatters[i]!(value);
    }
    return out;
  };
}
