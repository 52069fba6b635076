import * as z from 'zod';
import { SqlTypeSchema, type SqlType } from '../types/sql-type.js';

/**
 * A resolved, type-checked expression as it is stored in the job graph and compiled by the runtime into a
 * plain JS function once per operator. Columns are referenced by position in the operator's input row
 * (rows are arrays); every built-in operator and function is a `call` naming an entry of the built-in
 * function catalogue (compiler/functions), so type rule and runtime semantics of a function live together.
 */
export type TypedExpr =
  | { readonly op: 'literal'; readonly value: null | boolean | number | string; readonly type: SqlType; readonly nullable: boolean }
  | { readonly op: 'column'; readonly index: number; readonly name: string; readonly type: SqlType; readonly nullable: boolean }
  | { readonly op: 'call'; readonly fn: string; readonly args: readonly TypedExpr[]; readonly type: SqlType; readonly nullable: boolean }
  /** A scalar JavaScript UDF registered through the Node API. */
  | { readonly op: 'udf'; readonly name: string; readonly args: readonly TypedExpr[]; readonly type: SqlType; readonly nullable: boolean }
  /**
   * A left fold of binary built-ins over three or more operands, `a + b - c` = `-(+(a, b), c)`: link `i` applies
   * `fn` to the fold so far and `operands[i + 1]`, giving `type`. Kept flat so that a long chain does not nest
   * (the JSON of the graph, its schema and the code generator would all recurse once per term).
   */
  | { readonly op: 'chain'; readonly operands: readonly TypedExpr[]; readonly links: readonly ChainLink[]; readonly type: SqlType; readonly nullable: boolean };

export interface ChainLink {
  readonly fn: string;
  readonly type: SqlType;
  readonly nullable: boolean;
}

export const TypedExprSchema: z.ZodType<TypedExpr> = z.lazy(() =>
  z.discriminatedUnion('op', [
    z.object({
      op: z.literal('literal'),
      value: z.union([z.null(), z.boolean(), z.number(), z.string()]),
      type: SqlTypeSchema,
      nullable: z.boolean(),
    }),
    z.object({ op: z.literal('column'), index: z.number().int().min(0), name: z.string(), type: SqlTypeSchema, nullable: z.boolean() }),
    z.object({ op: z.literal('call'), fn: z.string(), args: z.array(TypedExprSchema), type: SqlTypeSchema, nullable: z.boolean() }),
    z.object({ op: z.literal('udf'), name: z.string(), args: z.array(TypedExprSchema), type: SqlTypeSchema, nullable: z.boolean() }),
    z.object({
      op: z.literal('chain'),
      operands: z.array(TypedExprSchema).min(3),
      links: z.array(z.object({ fn: z.string(), type: SqlTypeSchema, nullable: z.boolean() })).min(2),
      type: SqlTypeSchema,
      nullable: z.boolean(),
    }).refine((c) => c.links.length === c.operands.length - 1, 'a chain has one link fewer than operands'),
  ]),
);
