import type { Span, StringLiteralNode } from '../../grammar/ast/span.js';

/**
 * Every `'key' = 'value'` pair of `text` as string literal nodes with their source spans (quotes included), so
 * tests build SET statements and WITH options without depending on the parser.
 */
export interface QuotedPair {
  readonly key: StringLiteralNode;
  readonly value: StringLiteralNode;
  readonly span: Span;
}

const PAIR = /'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g;

export function quotedPairs(text: string, base = 0): QuotedPair[] {
  return [...text.matchAll(PAIR)].map((match) => {
    const offset = base + match.index;
    const keyLength = match[1]!.length + 2;
    const valueOffset = offset + match[0].length - match[2]!.length - 2;
    return {
      key: literal(match[1]!, offset, keyLength),
      value: literal(match[2]!, valueOffset, match[2]!.length + 2),
      span: { offset, length: match[0].length },
    };
  });
}

function literal(raw: string, offset: number, length: number): StringLiteralNode {
  return { kind: 'StringLiteralNode', value: raw.replaceAll("''", "'"), span: { offset, length } };
}

/** The source text a span covers. */
export function spanText(text: string, span: Span): string {
  return text.slice(span.offset, span.offset + span.length);
}
