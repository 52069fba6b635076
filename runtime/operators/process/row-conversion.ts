import type { Field } from '../../../compiler/types/sql-type.js';
import { typeToString } from '../../../compiler/types/sql-type.js';
import { describeJsValue } from '../../describe-js-value.js';
import { jsRowReader } from '../js-row-reader.js';
import { exactJsValue } from '../js-values.js';
import type { ProcessRow } from './process-function.js';

/**
 * Rows between the runtime's arrays and a process function's objects. Input rows become objects of one fixed
 * shape, built by a function generated once per step (an object literal, so every row object shares one hidden
 * class). Emitted rows (objects or arrays) become arrays in the output's column order, checked against the
 * output's types, since user code is where a wrong type would come from.
 */

/** A function that builds `{ name: row[i], … }` for the columns of `fields`. */
export function rowObjectBuilder(fields: readonly Field[]): (row: readonly unknown[]) => ProcessRow {
  const properties = fields.map((f, i) => `${JSON.stringify(f.name)}: r[${i}]`).join(', ');
  return new Function('r', `return { ${properties} };`) as (row: readonly unknown[]) => ProcessRow;
}

/**
 * A function turning what `ctx.emit` was given into an output row: an array in column order (as many values as
 * columns) or an object by column name (absent columns are NULL, unknown names are refused), each value already of
 * its column's type (exactJsValue). Throws a message naming the function and the column for a wrong value.
 */
export function emittedRowReader(fields: readonly Field[], functionName: string): (emitted: unknown) => unknown[] {
  const what = `process function '${functionName}' emitted a row`;
  const columnList = fields.map((f) => f.name).join(', ');
  const read = jsRowReader(fields, exactJsValue, (problem, emitted) => {
    switch (problem.kind) {
      case 'not-a-row':
        throw new Error(`${what} that is ${describeJsValue(emitted)}: emit an object by column name (${columnList}) or an array in that order`);
      case 'width':
        throw new Error(`${what} of ${problem.count} values, but its output has ${fields.length} columns (${columnList}): give one value per column, in this order`);
      case 'unknown-columns': {
        const plural = problem.names.length > 1 ? 's' : '';
        throw new Error(`${what} with unknown column${plural} ${problem.names.map((k) => `'${k}'`).join(', ')}: its output columns are ${columnList}`);
      }
      case 'null': {
        const field = fields[problem.column]!;
        throw new Error(`${what} whose column '${field.name}' is NULL, but the column is ${typeToString(field.type)} NOT NULL: give it a value`);
      }
      case 'value':
        throw new Error(`${what} whose column '${fields[problem.column]!.name}' is ${describeJsValue(problem.value)}, ${problem.problem}`);
    }
  });
  return (emitted) => read(emitted, 0);
}
