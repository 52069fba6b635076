import { createDiagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../../diagnostics/diagnostic.js';
import type { JobGraph, Operator, OperatorKind, OperatorSpec, StateDescriptor } from '../../graph/job-graph.js';
import { typeToString, type Field } from '../../types/sql-type.js';
import type { Migration } from '../migrations.js';
import type { OperatorMatch, SavedState } from '../operator-matches.js';
import type { Finding, StateVerdict } from '../report.js';
import type { SnapshotContents } from '../snapshot-contents.js';

export interface RuleContext {
  readonly next: JobGraph;
  readonly snapshot: SnapshotContents;
  readonly allowNonRestoredState: boolean;
  readonly matches: readonly OperatorMatch[];
}

/** What a rule found about one step, or one state of it. */
export interface Verdict {
  readonly uid: string;
  /** The state it is about; without one it is about the whole step and counts for each of its states. */
  readonly state?: string;
  readonly verdict: StateVerdict;
  readonly finding: Finding;
  /** With `compatible-after-migration`: what restoring does about it. */
  readonly migrations?: readonly Migration[];
}

/** One check of the compatibility engine; registered in rules/index.ts. */
export type Rule = (ctx: RuleContext) => Verdict[];

/** A catalogue entry with its arguments filled in; where it points is the step's origin, kept in the report. */
export function finding(definition: DiagnosticDefinition, args: DiagnosticArgs): Finding {
  const { code, severity, message, help } = createDiagnostic(definition, '', { offset: 0, length: 0 }, args);
  return help === undefined ? { code, severity, message } : { code, severity, message, help };
}

export type OperatorOf<K extends OperatorKind> = Operator & { readonly spec: Extract<OperatorSpec, { kind: K }> };

/** A uid under which both job graphs have a step: the savepoint's state is restored into `next`. */
export interface RestoredPair<P extends Operator = Operator, N extends Operator = Operator> {
  readonly uid: string;
  readonly previous: P;
  readonly next: N;
  readonly savedStates: ReadonlyMap<string, SavedState>;
}

export function restoredPairs(ctx: RuleContext): RestoredPair[] {
  return ctx.matches.flatMap(({ uid, previous, next, savedStates }) =>
    previous === undefined || next === undefined ? [] : [{ uid, previous, next, savedStates }],
  );
}

/** Restored steps that are of one of `kinds` on both sides (a change of kind is a rule of its own). */
export function pairsOfKind<K extends OperatorKind>(ctx: RuleContext, ...kinds: K[]): RestoredPair<OperatorOf<K>, OperatorOf<K>>[] {
  const wanted: readonly OperatorKind[] = kinds;
  return restoredPairs(ctx).filter(
    (p): p is RestoredPair<OperatorOf<K>, OperatorOf<K>> => p.previous.spec.kind === p.next.spec.kind && wanted.includes(p.next.spec.kind),
  );
}

/** Restored steps of the same kind on both sides. */
export function sameKindPairs(ctx: RuleContext): RestoredPair[] {
  return restoredPairs(ctx).filter((p) => p.previous.spec.kind === p.next.spec.kind);
}

/** `(auction BIGINT, bidder STRING)`: columns of a key or row in messages. */
export function describeFields(fields: readonly Field[]): string {
  return `(${fields.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ')})`;
}

/** `keyed map`, `operator union list`: what decides how a state's entries are stored. */
export function stateKindOf(state: StateDescriptor): string {
  return `${state.scope} ${state.redistribution === 'union' ? 'union ' : ''}${state.kind}`;
}

/** A state both the savepoint's step and the new step declare. */
export interface SharedState {
  readonly name: string;
  readonly saved: StateDescriptor;
  readonly next: StateDescriptor;
  /** Same scope and kind, so that their keys and values can be compared column by column. */
  readonly sameKind: boolean;
}

export function sharedStates({ next, savedStates }: RestoredPair): SharedState[] {
  return next.state.flatMap((state) => {
    const saved = savedStates.get(state.name)?.descriptor;
    return saved === undefined ? [] : [{ name: state.name, saved, next: state, sameKind: stateKindOf(saved) === stateKindOf(state) }];
  });
}
