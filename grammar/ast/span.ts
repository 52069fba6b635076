import type { IntervalLiteral } from './expressions.js';

/**
 * A range in the source text, as a character offset and a length. Line and column are computed
 * at exactly one boundary (the diagnostic formatter / `SourceText`), never stored in the tree.
 */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** An identifier as written: back-quoted identifiers keep their exact spelling. Identifiers are case-sensitive (as in Flink SQL). */
export interface Identifier {
  readonly kind: 'Identifier';
  readonly name: string;
  readonly quoted: boolean;
  readonly span: Span;
}

/** A `'…'` string literal with its `''` escapes already resolved. */
export interface StringLiteralNode {
  readonly kind: 'StringLiteralNode';
  readonly value: string;
  readonly span: Span;
}

/** `UID 'id' [TTL INTERVAL …]` attached to a statement or step; the TTL only to a step (SLC1050). */
export interface UidClause {
  readonly kind: 'UidClause';
  readonly value: string;
  readonly ttl?: IntervalLiteral;
  readonly span: Span;
}

export function spanBetween(first: Span, last: Span): Span {
  return { offset: first.offset, length: last.offset + last.length - first.offset };
}
