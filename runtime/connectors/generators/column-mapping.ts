import type { Field } from '../../../compiler/types/sql-type.js';
import type { RowMaker } from './indexed-split.js';

/**
 * Adapts a generator that builds rows in its own column order to a source schema that names (a subset of) those
 * columns in any order. Returns `make` itself when the orders agree, so the common case costs nothing.
 */
export function mapColumns(connector: string, available: readonly Field[], wanted: readonly Field[], make: RowMaker): RowMaker {
  const positions = wanted.map((field) => {
    const at = available.findIndex((a) => a.name === field.name);
    if (at === -1) {
      throw new Error(`${connector} connector: there is no column '${field.name}' (columns: ${available.map((a) => a.name).join(', ')})`);
    }
    return at;
  });
  if (positions.length === available.length && positions.every((p, i) => p === i)) return make;
  return (index) => {
    const full = make(index);
    const row = new Array<unknown>(positions.length);
    for (let i = 0; i < positions.length; i++) row[i] = full[positions[i]!];
    return row;
  };
}
