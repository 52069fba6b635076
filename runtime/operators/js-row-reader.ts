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
 * NULL (null or undefined) in a NOT NULL column is refused. The reader is generated once per schema, so that each
 * column's converter is called from a call site of its own (which V8 can inline) and a row costs one array, the
 * runtime row itself.
 */
export function jsRowReader(
  fields: readonly Field[],
  converter: (type: SqlType) => JsValueConverter,
  onProblem: RowProblemHandler,
): (input: unknown, index: number) => unknown[] {
  const names = fields.map((f) => f.name);
  const columns = fields.map((_, i) => i);
  const name = (i: number) => JSON.stringify(names[i]);
  const failNull = (column: number, input: unknown, index: number) => onProblem({ kind: 'null', column }, input, index);
  const failValue = (error: unknown, column: number, value: unknown, input: unknown, index: number) => {
    if (error instanceof ValueProblem) onProblem({ kind: 'value', column, value, problem: error.message }, input, index);
    throw error;
  };
  const failUnknown = (input: object, index: number) => {
    onProblem({ kind: 'unknown-columns', names: Object.keys(input).filter((key) => !names.includes(key)) }, input, index);
  };
  const value = (i: number) => `v${i} == null ? ${fields[i]!.nullable ? 'null' : `failNull(${i}, input, index)`} : (at = ${i}, c${i}(v${i}))`;
  const vars = columns.map((i) => `v${i}`).join(', ');
  const body = `
    return function readRow(input, index) {
      let ${vars};
      if (Array.isArray(input)) {
        if (input.length !== ${fields.length}) onProblem({ kind: 'width', count: input.length }, input, index);
        ${columns.map((i) => `v${i} = input[${i}];`).join(' ')}
      } else {
        if (input === null || typeof input !== 'object') onProblem({ kind: 'not-a-row' }, input, index);
        ${columns.map((i) => `v${i} = input[${name(i)}];`).join(' ')}
        let own = 0;
        for (const key in input) if (Object.hasOwn(input, key)) own++;
        if (own > ${columns.map((i) => `(v${i} !== undefined || Object.hasOwn(input, ${name(i)}))`).join(' + ') || '0'}) failUnknown(input, index);
      }
      let at = -1;
      try {
        return [${columns.map(value).join(', ')}];
      } catch (error) {
        failValue(error, at, [${vars}][at], input, index);
      }
    };`;
  const make = new Function('onProblem', 'failNull', 'failValue', 'failUnknown', ...columns.map((i) => `c${i}`), body) as (
    ...args: unknown[]
  ) => (input: unknown, index: number) => unknown[];
  return make(onProblem, failNull, failValue, failUnknown, ...fields.map((f) => converter(f.type)));
}
