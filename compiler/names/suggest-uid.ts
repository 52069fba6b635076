import type { Expr, Pipeline, Step } from '../../grammar/ast/index.js';

/** `bidCount` → `bid-count`, `date_time` → `date-time`: the spelling of suggested UIDs. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

const WINDOW_COLUMNS = new Set(['window_start', 'window_end']);

function columnName(expr: Expr): string | undefined {
  return expr.kind === 'ColumnRef' ? expr.name.name : undefined;
}

/** A UID derived from what the step does, e.g. `count-per-auction`, `bid-join-auction`; undefined for stateless steps. */
function describeStep(step: Step, pipeline: Pipeline): string | undefined {
  const from = pipeline.from.name.name;
  switch (step.kind) {
    case 'AggregateStep': {
      const first = step.aggregates[0]?.alias.name ?? 'aggregate';
      const keys = step.groupBy.map((g) => g.alias?.name ?? columnName(g.expr) ?? 'key');
      const plain = keys.filter((k) => !WINDOW_COLUMNS.has(k.toLowerCase()));
      if (plain.length > 0) return `${first}-per-${plain.join('-')}`;
      return keys.length > 0 ? `${first}-per-window` : `${first}-total`;
    }
    case 'JoinStep':
      return `${from}-join-${step.right.name.name}`;
    case 'DeduplicateStep':
      return `${from}-dedup-by-${step.keys.map((k) => columnName(k) ?? 'key').join('-')}`;
    case 'ProcessStep':
      return `${step.function.name}`;
    default:
      return undefined;
  }
}

/** `base` in kebab case, made unique against `taken` with a numeric suffix; the result is added to `taken`. */
export function uniqueUid(base: string, taken: Set<string>): string {
  const stem = kebab(base) || 'operator';
  let candidate = stem;
  for (let n = 2; taken.has(candidate); n++) candidate = `${stem}-${n}`;
  taken.add(candidate);
  return candidate;
}

export function suggestStepUid(step: Step, pipeline: Pipeline, taken: Set<string>): string {
  return uniqueUid(describeStep(step, pipeline) ?? step.kind.replace(/Step$/, ''), taken);
}
