import type { Field, SqlType } from '../../../compiler/types/sql-type.js';
import { typeToString } from '../../../compiler/types/sql-type.js';
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

/** Whether `value` (not null) is a valid runtime value of `type`; TIMESTAMP accepts a Date, converted by `normalize`. */
function valueCheck(type: SqlType): (value: unknown) => boolean {
  switch (type.name) {
    case 'BOOLEAN':
      return (v) => typeof v === 'boolean';
    case 'INT':
      return (v) => Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647;
    case 'BIGINT':
      return (v) => Number.isInteger(v);
    case 'DOUBLE':
      return (v) => typeof v === 'number';
    case 'DECIMAL':
    case 'INTERVAL':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'STRING':
      return (v) => typeof v === 'string';
    case 'TIMESTAMP':
      return (v) => (typeof v === 'number' && Number.isFinite(v)) || (v instanceof Date && !Number.isNaN(v.getTime()));
    case 'NULL':
      return () => false;
  }
}

const EXPECTED: Readonly<Record<SqlType['name'], string>> = {
  BOOLEAN: 'a boolean',
  INT: 'an integer number within ±2^31',
  BIGINT: 'an integer number',
  DOUBLE: 'a number',
  DECIMAL: 'a finite number',
  INTERVAL: 'a number of milliseconds',
  STRING: 'a string',
  TIMESTAMP: 'epoch milliseconds or a Date',
  NULL: 'null',
};

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return 'an object';
  return String(value);
}

/**
 * A function turning what `ctx.emit` was given into an output row: an array in column order (as many values as
 * columns) or an object by column name (absent columns are NULL, unknown names are refused). Throws a message
 * naming the function and the column for a wrong value.
 */
export function emittedRowReader(fields: readonly Field[], functionName: string): (emitted: unknown) => unknown[] {
  const names = fields.map((f) => f.name);
  const checks = fields.map((f) => valueCheck(f.type));
  const width = fields.length;
  const what = `process function '${functionName}' emitted a row`;
  const columnList = names.join(', ');

  const fail = (index: number, value: unknown): never => {
    const field = fields[index]!;
    const type = typeToString(field.type);
    if (value === null) throw new Error(`${what} whose column '${field.name}' is NULL, but the column is ${type} NOT NULL: give it a value`);
    throw new Error(`${what} whose column '${field.name}' is ${show(value)}, not a ${type}: give ${EXPECTED[field.type.name]}`);
  };

  const normalize = (values: unknown[]): unknown[] => {
    for (let i = 0; i < width; i++) {
      let value = values[i];
      if (value === undefined) value = values[i] = null;
      if (value === null) {
        if (!fields[i]!.nullable) fail(i, null);
        continue;
      }
      if (!checks[i]!(value)) fail(i, value);
      if (value instanceof Date) values[i] = value.getTime();
    }
    return values;
  };

  return (emitted) => {
    if (Array.isArray(emitted)) {
      if (emitted.length !== width) {
        throw new Error(`${what} of ${emitted.length} values, but its output has ${width} columns (${columnList}): give one value per column, in this order`);
      }
      return normalize(emitted.slice());
    }
    if (emitted === null || typeof emitted !== 'object') {
      throw new Error(`${what} that is ${show(emitted)}: emit an object by column name (${columnList}) or an array in that order`);
    }
    const record = emitted as Readonly<Record<string, unknown>>;
    const values = new Array<unknown>(width);
    let found = 0;
    for (let i = 0; i < width; i++) {
      const value = record[names[i]!];
      if (value !== undefined || Object.hasOwn(record, names[i]!)) found++;
      values[i] = value;
    }
    let own = 0;
    for (const key in record) if (Object.hasOwn(record, key)) own++;
    if (own > found) {
      const unknown = Object.keys(record).filter((key) => !names.includes(key));
      throw new Error(`${what} with unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}: its output columns are ${columnList}`);
    }
    return normalize(values);
  };
}
