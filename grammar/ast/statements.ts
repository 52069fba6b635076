import type { Expr } from './expressions.js';
import type { Identifier, Span, StringLiteralNode, UidClause } from './span.js';
import type { Pipeline } from './steps.js';
import type { TypeRef } from './types.js';

export type Statement = SetStatement | CreateSource | CreateSink | CreateView | CreateFunction | InsertInto;

export type StatementKind = Statement['kind'];

/** `SET 'key' = 'value';` */
export interface SetStatement {
  readonly kind: 'SetStatement';
  readonly key: StringLiteralNode;
  readonly value: StringLiteralNode;
  readonly span: Span;
}

export interface ColumnDef {
  readonly kind: 'ColumnDef';
  readonly name: Identifier;
  readonly type: TypeRef;
  readonly notNull: boolean;
  /** `METADATA [FROM 'key']`: filled from the source's message metadata, not its payload. */
  readonly metadata?: MetadataClause;
  readonly span: Span;
}

export interface MetadataClause {
  readonly kind: 'MetadataClause';
  /** The `FROM 'key'`; absent: the key is the column's name. */
  readonly key?: StringLiteralNode;
  readonly span: Span;
}

/** `WATERMARK FOR col AS expr` */
export interface WatermarkDef {
  readonly kind: 'WatermarkDef';
  readonly column: Identifier;
  readonly expr: Expr;
  readonly span: Span;
}

/** `PRIMARY KEY (col, …) NOT ENFORCED`: the key a sink upserts and deletes by (Sluice never checks uniqueness). */
export interface PrimaryKeyDef {
  readonly kind: 'PrimaryKeyDef';
  readonly columns: readonly Identifier[];
  readonly span: Span;
}

/** One `'key' = 'value'` entry of a `WITH (…)` clause. */
export interface OptionEntry {
  readonly kind: 'OptionEntry';
  readonly key: StringLiteralNode;
  readonly value: StringLiteralNode;
  readonly span: Span;
}

export interface CreateSource {
  readonly kind: 'CreateSource';
  readonly name: Identifier;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: WatermarkDef;
  readonly primaryKey?: PrimaryKeyDef;
  readonly options: readonly OptionEntry[];
  readonly uid?: UidClause;
  readonly span: Span;
}

/** Columns may be omitted: the sink then takes the schema of what is inserted into it. */
export interface CreateSink {
  readonly kind: 'CreateSink';
  readonly name: Identifier;
  readonly columns?: readonly ColumnDef[];
  /** May stand alone, `(PRIMARY KEY (k) NOT ENFORCED)`: the columns are then still those inserted. */
  readonly primaryKey?: PrimaryKeyDef;
  readonly options: readonly OptionEntry[];
  readonly uid?: UidClause;
  readonly span: Span;
}

export interface CreateView {
  readonly kind: 'CreateView';
  readonly name: Identifier;
  readonly pipeline: Pipeline;
  readonly span: Span;
}

/**
 * `CREATE FUNCTION name AS 'module.js' [LANGUAGE JAVASCRIPT]`: registers the definition called `name` from the
 * module's `functions` (scalar) or `processes` (process function) exports. The path is relative to the `.pipe`
 * file; the module is loaded before compiling (`loadCreatedFunctions`), the compiler only sees its signature.
 */
export interface CreateFunction {
  readonly kind: 'CreateFunction';
  readonly name: Identifier;
  readonly module: StringLiteralNode;
  /** Whether `LANGUAGE JAVASCRIPT` was written (the only language, and the default). */
  readonly languageWritten: boolean;
  readonly span: Span;
}

export interface InsertInto {
  readonly kind: 'InsertInto';
  readonly sink: Identifier;
  readonly pipeline: Pipeline;
  readonly span: Span;
}

/** A whole `.pipe` file. */
export interface Script {
  readonly kind: 'Script';
  readonly statements: readonly Statement[];
  readonly span: Span;
}
