import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { OperatorMatch, SavedState } from '../operator-matches.js';
import { formatStateSize, isEmptyState } from '../snapshot-contents.js';
import { finding, type Rule, type RuleContext, type Verdict } from './rule.js';

/** The saved states nothing in the new job restores: all of a dropped step's, or those a step no longer declares. */
function unmatched({ previous, next, savedStates }: OperatorMatch): [string, SavedState][] {
  if (next === undefined) return [...savedStates];
  if (previous === undefined || previous.spec.kind !== next.spec.kind) return [];
  const declared = new Set(next.state.map((s) => s.name));
  return [...savedStates].filter(([name]) => !declared.has(name));
}

function verdictOn(ctx: RuleContext, uid: string, state: string, saved: SavedState): Verdict {
  if (isEmptyState(saved.size)) return { uid, state, verdict: 'skipped', finding: finding(Diagnostics.EmptyStateSkipped, { uid, state }) };
  const definition = ctx.allowNonRestoredState ? Diagnostics.StateDroppedAllowed : Diagnostics.StateDropped;
  return { uid, state, verdict: 'dropped', finding: finding(definition, { uid, state, size: formatStateSize(saved.size) }) };
}

/**
 * Flink's rule for unmatched state: non-empty state nothing restores fails the restore unless non-restored state
 * is allowed (then it is dropped, and said so); empty state is skipped with a note.
 */
export const unmatchedStateRule: Rule = (ctx) =>
  ctx.matches.flatMap((match) => unmatched(match).map(([state, saved]) => verdictOn(ctx, match.uid, state, saved)));
