import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';

/** A diagnostic reduced to what tests assert: its code, the source text it blames, message and help. */
export interface Blamed {
  readonly code: string;
  readonly at: string;
  readonly message: string;
  readonly help: string | undefined;
}

export function blamed(diagnostics: readonly Diagnostic[], text: string): Blamed[] {
  return diagnostics.map((d) => ({
    code: d.code,
    at: text.slice(d.span.offset, d.span.offset + d.span.length),
    message: d.message,
    help: d.help,
  }));
}
