import { formatDuration } from '../../config/durations.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

function describeTtl(ms: number | undefined): string {
  return ms === undefined ? 'none (kept forever)' : formatDuration(ms);
}

/**
 * A state TTL added, removed or changed is compatible (as in Flink): the runtime keeps each key's last write time
 * with its state, so the new TTL applies to restored state from there. Said as a note.
 */
export const stateTtlRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'group_aggregate', 'join', 'deduplicate')
    .filter(({ previous, next }) => previous.spec.stateTtlMs !== next.spec.stateTtlMs)
    .map(({ uid, previous, next }) => ({
      uid,
      verdict: 'compatible',
      finding: finding(Diagnostics.StateTtlChanged, { uid, previous: describeTtl(previous.spec.stateTtlMs), next: describeTtl(next.spec.stateTtlMs) }),
    }));
