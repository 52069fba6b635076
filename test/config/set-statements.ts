import type { SetStatement } from '../../grammar/ast/statements.js';
import { quotedPairs } from './quoted-pairs.js';

/** The `SET 'key' = 'value';` statements of `text`. */
export function setStatements(text: string): SetStatement[] {
  return quotedPairs(text).map(({ key, value, span }) => ({ kind: 'SetStatement', key, value, span }));
}
