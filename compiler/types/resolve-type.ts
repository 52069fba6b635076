import type { TypeRef } from '../../grammar/ast/types.js';
import { closestMatch, didYouMean } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { MAX_DECIMAL_PRECISION } from '../expressions/coercion.js';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, TIMESTAMP3, decimal, type SqlType } from './sql-type.js';

/** Type names without parameters, with Flink's synonyms. */
const SIMPLE: ReadonlyMap<string, SqlType> = new Map([
  ['BOOLEAN', BOOLEAN],
  ['INT', INT],
  ['INTEGER', INT],
  ['BIGINT', BIGINT],
  ['DOUBLE', DOUBLE],
  ['STRING', STRING],
]);

const KNOWN_NAMES = [...SIMPLE.keys(), 'DECIMAL', 'DEC', 'NUMERIC', 'VARCHAR', 'TIMESTAMP'];

/** Flink's DECIMAL without parameters. */
const DEFAULT_DECIMAL = { precision: 10, scale: 0 };

/**
 * Resolves a type as written (`DECIMAL(10, 2)`, `VARCHAR(20)`, `TIMESTAMP(3)`) to an SqlType, reporting unknown
 * names and bad parameters. VARCHAR(n) is accepted as STRING: lengths are not enforced.
 */
export function resolveType(ref: TypeRef, bag: DiagnosticBag): SqlType | undefined {
  const name = ref.name.toUpperCase();
  const params = ref.params;
  const badParams = (accepted: string): undefined => {
    bag.report(Diagnostics.BadTypeParameters, ref.span, { name, params: params.join(', '), accepted });
    return undefined;
  };

  const simple = SIMPLE.get(name);
  if (simple !== undefined) return params.length === 0 ? simple : badParams(name);
  switch (name) {
    case 'VARCHAR':
      return params.length === 0 || (params.length === 1 && Number.isInteger(params[0]) && params[0]! >= 1) ? STRING : badParams('VARCHAR or VARCHAR(n) with n ≥ 1');
    case 'TIMESTAMP':
      if (params.length === 0 || (params.length === 1 && params[0] === 3)) return TIMESTAMP3;
      if (params.length === 1) {
        bag.report(Diagnostics.BadTimestampPrecision, ref.span, { precision: params[0]! });
        return undefined;
      }
      return badParams('TIMESTAMP(3)');
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      if (params.length > 2) return badParams('DECIMAL(p, s)');
      const precision = params[0] ?? DEFAULT_DECIMAL.precision;
      const scale = params[1] ?? DEFAULT_DECIMAL.scale;
      const valid =
        Number.isInteger(precision) && Number.isInteger(scale) && precision >= 1 && precision <= MAX_DECIMAL_PRECISION && scale >= 0 && scale <= precision;
      if (!valid) {
        bag.report(Diagnostics.BadDecimalParameters, ref.span, { params: params.join(', ') });
        return undefined;
      }
      return decimal(precision, scale);
    }
    default:
      bag.report(Diagnostics.UnknownType, ref.span, { name: ref.name, suggestion: didYouMean(closestMatch(name, KNOWN_NAMES)) });
      return undefined;
  }
}
