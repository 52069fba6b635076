import type * as pipe from '../../../grammar/ast/index.js';

/**
 * The AST of the Flink SQL subset `sluice import` reads. Expressions, types, WITH options, watermarks and SET
 * are `.pipe`'s own nodes (the grammar extends `.pipe`'s); the rest describes Flink's statements and SELECT
 * blocks as written, and `to-pipe.ts` decides what each means in `.pipe`.
 */
type Span = pipe.Span;
type Identifier = pipe.Identifier;
type Expr = pipe.Expr;

export interface FlinkScript {
  readonly statements: readonly FlinkStatement[];
}

export type FlinkStatement = pipe.SetStatement | CreateTable | CreateFlinkView | InsertSelect | StatementSet;

/** `name type [NOT NULL]`; `type` keeps Flink's structured types (ROW<…>), which `.pipe` has not. */
export interface PhysicalColumn {
  readonly kind: 'PhysicalColumn';
  readonly name: Identifier;
  readonly type: FlinkType;
  readonly notNull: boolean;
  readonly span: Span;
}

/** `name AS expr`. */
export interface ComputedColumn {
  readonly kind: 'ComputedColumn';
  readonly name: Identifier;
  readonly expr: Expr;
  readonly span: Span;
}

export interface FlinkType {
  readonly name: string;
  readonly params: readonly number[];
  /** The fields of ROW<…>, or the element types of ARRAY<…>/MAP<…> (then without a name). */
  readonly fields: readonly { readonly name: Identifier; readonly type?: FlinkType }[];
  readonly span: Span;
}

export interface CreateTable {
  readonly kind: 'CreateTable';
  readonly name: Identifier;
  readonly columns: readonly (PhysicalColumn | ComputedColumn)[];
  readonly watermark?: pipe.WatermarkDef;
  /** Where a PRIMARY KEY was declared: Sluice's sinks have no keys (see to-pipe.ts). */
  readonly primaryKey?: Span;
  readonly options: readonly pipe.OptionEntry[];
  readonly span: Span;
}

export interface CreateFlinkView {
  readonly kind: 'CreateFlinkView';
  readonly name: Identifier;
  readonly query: Query;
  readonly span: Span;
}

export interface InsertSelect {
  readonly kind: 'InsertSelect';
  readonly sink: Identifier;
  readonly query: Query;
  readonly span: Span;
}

export interface StatementSet {
  readonly kind: 'StatementSet';
  readonly inserts: readonly InsertSelect[];
  readonly span: Span;
}

/** SELECT blocks joined by UNION ALL (one block for most queries). */
export interface Query {
  readonly blocks: readonly SelectBlock[];
  readonly span: Span;
}

export interface SelectBlock {
  /** Where `SELECT DISTINCT` was written. */
  readonly distinct?: Span;
  readonly columns: readonly SelectColumn[];
  /** `FROM a, b`: more than one item is an implicit (comma) join. */
  readonly from: readonly FromItem[];
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  readonly span: Span;
}

export type SelectColumn =
  | { readonly kind: 'Star'; readonly qualifier?: Identifier; readonly span: Span }
  | { readonly kind: 'Column'; readonly expr: Expr; readonly over?: OverClause; readonly alias?: Identifier; readonly span: Span };

export interface OverClause {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly { readonly expr: Expr; readonly descending: boolean }[];
  readonly span: Span;
}

export interface FromItem {
  readonly first: TableFactor;
  readonly joins: readonly JoinClause[];
}

export type TableFactor =
  | { readonly kind: 'TableName'; readonly name: Identifier; readonly alias?: Identifier; readonly span: Span }
  | { readonly kind: 'Subquery'; readonly query: Query; readonly alias?: Identifier; readonly span: Span }
  | WindowTable;

/** `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size))` and HOP, CUMULATE, SESSION. */
export interface WindowTable {
  readonly kind: 'WindowTable';
  readonly function: Identifier;
  readonly table: Identifier;
  readonly partitionBy: readonly Expr[];
  readonly timeColumn: Identifier;
  readonly args: readonly Expr[];
  readonly alias?: Identifier;
  readonly span: Span;
}

export type JoinKind = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';

export interface JoinClause {
  readonly kind: JoinKind;
  readonly right: TableFactor;
  readonly condition?: Expr;
  readonly span: Span;
}
