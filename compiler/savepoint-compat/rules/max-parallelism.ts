import { Diagnostics } from '../../diagnostics/catalogue.js';
import { isEmptyState } from '../snapshot-contents.js';
import { finding, type Rule } from './rule.js';

/**
 * Keyed state is split into as many key groups as the max parallelism, and a key's group is its hash modulo that
 * number: with another max parallelism restored keys would land in the wrong groups (Flink refuses it too).
 * Steps without keyed state to restore are unaffected.
 */
export const maxParallelismRule: Rule = (ctx) => {
  const previous = ctx.snapshot.maxParallelism;
  const next = ctx.next.config.maxParallelism;
  if (previous === next) return [];
  return ctx.matches
    .filter((m) => m.saved && m.next !== undefined)
    .filter((m) => [...m.savedStates.values()].some((s) => s.descriptor?.scope === 'keyed' && !isEmptyState(s.size)))
    .map(({ uid }) => ({ uid, verdict: 'incompatible', finding: finding(Diagnostics.MaxParallelismChanged, { uid, previous, next }) }));
};
