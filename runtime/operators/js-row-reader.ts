import type { Field, SqlType } from '../../compiler/types/sql-type.js';
import { ValueProblem } from '../connectors/formats/row-error.js';
import type { JsValueConverter } from './js-values.js';

/** What is wrong with a row given through the Node API; `column` indexes the schema's fields. */
export type RowProblem =
  | { readonly kind: 'not-a-row' }
  | { readonly kind: 'width'; readonly count: number }
  | { readonly kind: 'unknown-columns'; readonly names: readonly string[] }
  | { readonly kind: 'null'; readonly column: number }
  | { readonly kind: 'value'; readonly column: number; readonly value: unknown; readonly problem: string };

/** Turns a problem with `input`, the row at `index`, into the error to throw (and throws it). */
export type RowProblemHandler = (problem: RowProblem, input: unknown, index: number) => never;

/**
 * Rows given through the Node API (fed to a source, emitted by a process function) into runtime rows: an array in
 * column order (one value per column) or an object by column name (absent columns are NULL; a property that names
 * no column is refused, as it is most likely a misspelt one). Each value goes through its column's converter;
 * NULL (null or undefined) in a NOT NULL column is refused. Built once per schema; a row costs the one array
 * that becomes the runtime row.
 */
export function jsRowReader(
  fields: readonly Field[],
  converter: (type: SqlType) => JsValueConverter,
  onProblem: RowProblemHandler,
): (input: unknown, index: number) => unknown[] {
  const names = fields.map((f) => f.name);
  const converters = fields.map((f) => converter(f.type));
  const nullable = fields.map((f) => f.nullable);
  const width = fields.length;

  const convert = (values: unknown[], input: unknown, index: number): unknown[] => {
    let i = 0;
    try {
      for (; i < width; i++) {
        const value = values[i];
        if (value === null || value === undefined) {
          values[i] = null;
          if (!nullable[i]) onProblem({ kind: 'null', column: i }, input, index);
        } else {
          values[i] = converters[i]!(value);
        }
      }
    } catch (error) {
      if (error instanceof ValueProblem) onProblem({ kind: 'value', column: i, value: values[i], problem: error.message }, input, index);
      throw error;
    }
    return values;
  };

  return (input, index) => {
    if (Array.isArray(input)) {
      if (input.length !== width) onProblem({ kind: 'width', count: input.length }, input, index);
      return convert(input.slice(), input, index);
    }
    if (input === null || typeof input !== 'object') onProblem({ kind: 'not-a-row' }, input, index);
    const record = input as Readonly<Record<string, unknown>>;
    const values = new Array<unknown>(width);
    let found = 0;
    for (let i = 0; i < width; i++) {
      const value = record[names[i]!];
      if (value !== undefined || Object.hasOwn(record, names[i]!)) found++;
      values[i] = value;
    }
    let own = 0;
    for (const key in record) if (Object.hasOwn(record, key)) own++;
    if (own > found) onProblem({ kind: 'unknown-columns', names: Object.keys(record).filter((key) => !names.includes(key)) }, input, index);
    return convert(values, input, index);
  };
}
