import { formatDuration } from '../../config/durations.js';
import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { StateTtlConfig } from '../../graph/job-graph.js';
import { finding, pairsOfKind, sharedStates, type Rule, type Verdict } from './rule.js';

function describeTtl(ttl: StateTtlConfig | undefined): string {
  return ttl === undefined ? 'none (kept forever)' : `${formatDuration(ttl.ms)} (${ttl.update}, ${ttl.visibility})`;
}

/**
 * The TTL of a process function's state added, removed or changed is compatible, as in Flink: each key's last
 * write (or access) time is saved with its state, so the new TTL applies to restored entries from there. A note.
 */
export const processStateTtlRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'process').flatMap((pair) =>
    sharedStates(pair)
      .filter(({ saved, next }) => describeTtl(saved.ttl) !== describeTtl(next.ttl))
      .map(
        ({ name, saved, next }): Verdict => ({
          uid: pair.uid,
          state: name,
          verdict: 'compatible',
          finding: finding(Diagnostics.ProcessStateTtlChanged, { uid: pair.uid, state: name, previous: describeTtl(saved.ttl), next: describeTtl(next.ttl) }),
        }),
      ),
  );
