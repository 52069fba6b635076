import type { DiagnosticDefinition } from '../diagnostic.js';

/** SLC1xxx: lexing and parsing. */
export const syntaxDiagnostics = {
  UnexpectedCharacter: {
    code: 'SLC1001',
    severity: 'error',
    message: "unexpected character '{char}'",
    help: 'remove it, or quote the text: strings use single quotes, identifiers back quotes',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
