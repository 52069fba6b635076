import type { ColumnRef } from '../../grammar/ast/expressions.js';
import { closestMatch, didYouMean } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Field } from '../types/sql-type.js';

/** A column visible to an expression: its field, its position in the input row, and the stream name or alias qualifying it. */
export interface ScopeColumn {
  readonly qualifier: string | undefined;
  readonly field: Field;
  readonly index: number;
}

export type ColumnLookup =
  | { readonly kind: 'found'; readonly column: ScopeColumn }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'unknownQualifier' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly ScopeColumn[] };

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdentifier(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : `\`${name.replaceAll('`', '``')}\``;
}

/**
 * The columns an expression can refer to. Names are case-sensitive, as in Flink SQL. A join's scope is the
 * left scope concatenated with the right one, so `a.id` and `b.id` resolve while a bare `id` is ambiguous.
 */
export class Scope {
  constructor(readonly columns: readonly ScopeColumn[]) {}

  static fromFields(fields: readonly Field[], qualifier?: string): Scope {
    return new Scope(fields.map((field, index) => ({ qualifier, field, index })));
  }

  /** The number of positions of the row this scope describes. */
  get width(): number {
    return this.columns.reduce((max, c) => Math.max(max, c.index + 1), 0);
  }

  /** For joins: `other`'s columns follow this scope's, their indices shifted past this scope's row. */
  concat(other: Scope): Scope {
    const shift = this.width;
    return new Scope([...this.columns, ...other.columns.map((c) => ({ ...c, index: c.index + shift }))]);
  }

  /** The distinct qualifiers in scope, in order of appearance. */
  get qualifiers(): readonly string[] {
    return [...new Set(this.columns.flatMap((c) => (c.qualifier === undefined ? [] : [c.qualifier])))];
  }

  lookup(name: string, qualifier?: string): ColumnLookup {
    if (qualifier !== undefined && !this.columns.some((c) => c.qualifier === qualifier)) return { kind: 'unknownQualifier' };
    const candidates = this.columns.filter((c) => c.field.name === name && (qualifier === undefined || c.qualifier === qualifier));
    if (candidates.length === 1) return { kind: 'found', column: candidates[0]! };
    return candidates.length === 0 ? { kind: 'unknown' } : { kind: 'ambiguous', candidates };
  }

  /** Resolves a column reference, reporting an unknown qualifier, an unknown column or an ambiguous one. */
  resolve(ref: ColumnRef, bag: DiagnosticBag): ScopeColumn | undefined {
    const name = ref.name.name;
    const qualifier = ref.qualifier?.name;
    const found = this.lookup(name, qualifier);
    switch (found.kind) {
      case 'found':
        return found.column;
      case 'unknownQualifier': {
        const qualifiers = this.qualifiers;
        bag.report(Diagnostics.UnknownQualifier, ref.qualifier!.span, {
          qualifier: qualifier!,
          name,
          qualifiers: qualifiers.length === 0 ? '(none: refer to columns by their name alone)' : qualifiers.join(', '),
          suggestion: didYouMean(closestMatch(qualifier!, qualifiers)),
        });
        return undefined;
      }
      case 'unknown': {
        const visible = this.columns.filter((c) => qualifier === undefined || c.qualifier === qualifier);
        const names = visible.map((c) => (qualifier === undefined ? c.field.name : `${qualifier}.${c.field.name}`));
        bag.report(Diagnostics.UnknownColumn, ref.name.span, {
          name: qualifier === undefined ? name : `${qualifier}.${name}`,
          available: names.length === 0 ? '(none)' : names.join(', '),
          suggestion: didYouMean(closestMatch(name, visible.map((c) => c.field.name))),
        });
        return undefined;
      }
      case 'ambiguous': {
        const owners = found.candidates.map((c) => c.qualifier);
        const distinctOwners = new Set(owners).size === owners.length && owners.every((q) => q !== undefined);
        bag.report(Diagnostics.AmbiguousColumn, ref.span, {
          name,
          where: distinctOwners ? owners.join(' and ') : `${owners.length} inputs that have the same name`,
          example: distinctOwners
            ? `${quoteIdentifier(owners[0]!)}.${quoteIdentifier(name)}`
            : `give the inputs distinct aliases (… JOIN x AS b) and write b.${quoteIdentifier(name)}`,
        });
        return undefined;
      }
    }
  }
}
