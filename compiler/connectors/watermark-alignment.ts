import type { CreateSource, OptionEntry } from '../../grammar/ast/statements.js';
import type { Operator } from '../graph/job-graph.js';
import { durationType, nonEmptyStringType } from '../config/value-types.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { option, type OptionDefinition } from './connector-definition.js';

/** Flink's source options of watermark alignment (FLIP-182, in SQL since FLIP-296), taken by every source connector. */
export const ALIGNMENT_GROUP = 'scan.watermark.alignment.group';
export const ALIGNMENT_MAX_DRIFT = 'scan.watermark.alignment.max-drift';
export const ALIGNMENT_UPDATE_INTERVAL = 'scan.watermark.alignment.update-interval';
export const DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS = 1000;

/**
 * Options every source takes besides its connector's own: validated with them (validate-options.ts) and documented
 * once in docs/connectors.md. No defaults are filled in, so sources without them keep their options unchanged.
 */
export const commonSourceOptions: readonly OptionDefinition[] = [
  option(
    ALIGNMENT_GROUP,
    nonEmptyStringType,
    "Watermark alignment group: sources naming the same group pause reading while their watermark is more than their max drift ahead of the group's slowest. Needs a WATERMARK and the max drift.",
  ),
  option(ALIGNMENT_MAX_DRIFT, durationType(1), 'How far the watermark of a source of an alignment group may run ahead of the group\'s minimum before it pauses.'),
  option(
    ALIGNMENT_UPDATE_INTERVAL,
    durationType(1),
    "How often a source of an alignment group that holds nobody back reports its watermark; a source the group waits for reports every change, and a source reports before it pauses. With worker threads every change is reported (a store to shared memory, not a message).",
    { defaultText: '1 s' },
  ),
];

/**
 * The rules between the alignment options and the source (SLC1080–SLC1082): a group needs a max drift, the drift
 * and interval need a group, and a source in a group needs a watermark. `options` are the validated ones.
 */
export function checkWatermarkAlignment(stmt: CreateSource, bag: DiagnosticBag): void {
  const entry = (key: string) => optionEntry(stmt, key);
  const group = entry(ALIGNMENT_GROUP);
  const name = stmt.name.name;
  if (group === undefined) {
    for (const key of [ALIGNMENT_MAX_DRIFT, ALIGNMENT_UPDATE_INTERVAL]) {
      const given = entry(key);
      if (given !== undefined) bag.report(Diagnostics.AlignmentOptionWithoutGroup, given.key.span, { key, name });
    }
    return;
  }
  if (entry(ALIGNMENT_MAX_DRIFT) === undefined) bag.report(Diagnostics.AlignmentGroupWithoutMaxDrift, group.span, { name, group: group.value.value });
  if (stmt.watermark === undefined) bag.report(Diagnostics.AlignmentWithoutWatermark, group.span, { name, group: group.value.value });
}

/**
 * A group of one source subtask has nothing to align with (SLC1083, a warning): most likely a misspelt group name.
 * `sources` are the planned source operators (a source no INSERT reads is not planned) with their statements.
 */
export function checkAlignmentGroups(sources: readonly { readonly stmt: CreateSource; readonly operator: Operator }[], bag: DiagnosticBag): void {
  const groups = new Map<string, { stmt: CreateSource; subtasks: number }[]>();
  for (const { stmt, operator } of sources) {
    const group = operator.spec.kind === 'source' ? operator.spec.options[ALIGNMENT_GROUP] : undefined;
    if (group !== undefined) groups.set(group, [...(groups.get(group) ?? []), { stmt, subtasks: operator.parallelism }]);
  }
  for (const [group, members] of groups) {
    if (members.length !== 1 || members[0]!.subtasks !== 1) continue;
    const { stmt } = members[0]!;
    bag.report(Diagnostics.LonelyAlignmentGroup, optionEntry(stmt, ALIGNMENT_GROUP)!.value.span, { group, name: stmt.name.name });
  }
}

function optionEntry(stmt: CreateSource, key: string): OptionEntry | undefined {
  return stmt.options.find((o) => o.key.value === key);
}
