import { Diagnostics } from '../../diagnostics/catalogue.js';
import { formatDuration } from '../../exporters/describe.js';
import type { WindowSpec } from '../../graph/job-graph.js';
import { finding, pairsOfKind, type Rule } from './rule.js';

function windowText(window: WindowSpec): string {
  switch (window.type) {
    case 'tumble':
      return `TUMBLE(${formatDuration(window.sizeMs)})`;
    case 'hop':
      return `HOP(${formatDuration(window.slideMs)}, ${formatDuration(window.sizeMs)})`;
    case 'session':
      return `SESSION(${formatDuration(window.gapMs)})`;
  }
}

/** Open windows are stored under their bounds: another type, size, slide or gap would not find or fire them right. */
export const windowRule: Rule = (ctx) =>
  pairsOfKind(ctx, 'window_aggregate', 'window_join').flatMap(({ uid, previous, next }) => {
    const [before, after] = [windowText(previous.spec.window), windowText(next.spec.window)];
    return before === after ? [] : [{ uid, verdict: 'incompatible' as const, finding: finding(Diagnostics.WindowChanged, { uid, previous: before, next: after }) }];
  });
