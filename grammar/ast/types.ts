import type { Span } from './span.js';

/** A type as written in the source (`DECIMAL(10, 2)`, `VARCHAR`, `TIMESTAMP(3)`); resolved to an `SqlType` by the compiler. */
export interface TypeRef {
  readonly kind: 'TypeRef';
  /** Upper-cased type name as written: BOOLEAN, INT, INTEGER, BIGINT, DOUBLE, DECIMAL, STRING, VARCHAR, TIMESTAMP, … */
  readonly name: string;
  /** Numeric parameters in parentheses, e.g. [10, 2] for DECIMAL(10, 2). */
  readonly params: readonly number[];
  readonly span: Span;
}
