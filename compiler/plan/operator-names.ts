import type { Span, Step } from '../../grammar/ast/index.js';

const MAX_LENGTH = 80;

const LEADING_KEYWORD = /^(?:\|>\s*)?(?:LEFT\s+)?(?:WHERE|SELECT|EXTEND|WINDOW|AGGREGATE|JOIN|UNION\s+ALL|DEDUPLICATE|PROCESS)\s+/i;

/** Source text on one line, cut to a readable length. */
function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_LENGTH ? line : `${line.slice(0, MAX_LENGTH - 1)}…`;
}

/** What a step says after its keyword and before its UID, on one line: `price > 100` for `WHERE price > 100 UID 'f'`. */
export function stepText(source: string, step: Step): string {
  const end = step.uid?.span.offset ?? step.span.offset + step.span.length;
  return source.slice(step.span.offset, end).replace(/\s+/g, ' ').trim().replace(LEADING_KEYWORD, '');
}

export function spanText(source: string, span: Span): string {
  return source.slice(span.offset, span.offset + span.length);
}

/** An operator's short readable name: `Filter(price > 100)`, `Source(bid)`. */
export function operatorName(label: string, detail: string): string {
  return `${label}(${snippet(detail)})`;
}
