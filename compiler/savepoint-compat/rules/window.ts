import { Diagnostics } from '../../diagnostics/catalogue.js';
import { describeWindow } from '../../exporters/describe.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

/** Open windows are stored under their bounds: another type, size, slide or gap would not find or fire them right. */
export const windowRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'window_aggregate', 'window_join').flatMap(({ uid, previous, next }) => {
    const [before, after] = [describeWindow(previous.spec.window), describeWindow(next.spec.window)];
    return before === after ? [] : [{ uid, verdict: 'incompatible' as const, finding: finding(Diagnostics.WindowChanged, { uid, previous: before, next: after }) }];
  });
