import { Lexer, type TokenType } from 'chevrotain';
import { keyword, tokensWith } from '../../../grammar/tokens.js';

/**
 * The words Flink SQL adds to the `.pipe` vocabulary (grammar/tokens.ts), which the importer's grammar extends
 * so that expressions, types and WITH options are parsed by the same rules as in `.pipe` files. All of them are
 * soft (in the `Identifier` category): Flink scripts use `order`, `key` or `table` as column names too, and the
 * grammar only reads them as keywords where no name can stand.
 */
export const Temporary = keyword('TEMPORARY', true);
export const Table = keyword('TABLE', true);
export const Execute = keyword('EXECUTE', true);
export const Statement = keyword('STATEMENT', true);
export const Begin = keyword('BEGIN', true);
export const Descriptor = keyword('DESCRIPTOR', true);
export const Over = keyword('OVER', true);
export const Order = keyword('ORDER', true);
export const Asc = keyword('ASC', true);
export const Desc = keyword('DESC', true);
export const Having = keyword('HAVING', true);
export const Right = keyword('RIGHT', true);
export const Full = keyword('FULL', true);
export const Cross = keyword('CROSS', true);
export const To = keyword('TO', true);
export const If = keyword('IF', true);
export const Exists = keyword('EXISTS', true);
// PRIMARY, KEY and ENFORCED are `.pipe` words too (grammar/tokens.ts).
export { Enforced, Key, Primary } from '../../../grammar/tokens.js';

export const flinkKeywords: readonly TokenType[] = [
  Temporary, Table, Execute, Statement, Begin, Descriptor, Over, Order, Asc, Desc, Having, Right, Full, Cross,
  To, If, Exists,
];

/** `.pipe`'s tokens with the keywords above sorted in among its own (longest first, see grammar/tokens.ts). */
export const flinkTokens: readonly TokenType[] = tokensWith(flinkKeywords);

/** Built on first use by the importer only, so `sluice compile` never pays for it. */
export function createFlinkLexer(options: { readonly validate: boolean }): Lexer {
  return new Lexer([...flinkTokens], { ensureOptimizations: true, skipValidations: !options.validate });
}
