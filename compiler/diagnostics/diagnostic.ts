import type { Span } from '../../grammar/ast/span.js';

export type Severity = 'error' | 'warning' | 'note';

/**
 * One entry of the diagnostic catalogue. `message` and `help` are templates whose `{name}` placeholders
 * are filled from the arguments given at the call site; call sites name an entry, never an inline string.
 */
export interface DiagnosticDefinition {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** What the user can do about it; printed as a `help:` line. */
  readonly help?: string;
}

export type DiagnosticArgs = Readonly<Record<string, string | number>>;

/** A secondary location, e.g. the first definition of a duplicated uid. */
export interface RelatedLocation {
  readonly message: string;
  readonly file: string;
  readonly span: Span;
}

/** Diagnostic data, kept apart from its rendering (see `format.ts`). */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly help?: string;
  readonly file: string;
  readonly span: Span;
  readonly args: DiagnosticArgs;
  readonly related: readonly RelatedLocation[];
}

function fill(template: string, args: DiagnosticArgs): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

export function createDiagnostic(
  definition: DiagnosticDefinition,
  file: string,
  span: Span,
  args: DiagnosticArgs = {},
  related: readonly RelatedLocation[] = [],
): Diagnostic {
  const help = definition.help === undefined ? undefined : fill(definition.help, args);
  return {
    code: definition.code,
    severity: definition.severity,
    message: fill(definition.message, args),
    ...(help === undefined ? {} : { help }),
    file,
    span,
    args,
    related,
  };
}

/** Collects the diagnostics of one compilation of one file. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  constructor(readonly file: string) {}

  report(definition: DiagnosticDefinition, span: Span, args: DiagnosticArgs = {}, related: readonly RelatedLocation[] = []): void {
    this.items.push(createDiagnostic(definition, this.file, span, args, related));
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
