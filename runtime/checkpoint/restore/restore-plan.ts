import type { JobGraph, Operator } from '../../../compiler/graph/job-graph.js';
import type { CompatibilityReport } from '../../../compiler/savepoint-compat/report.js';
import type { OperatorSubtaskRestore } from '../../execution/operator-host.js';
import { keyGroupRangeForSubtask, rangesIntersect } from '../../state/key-groups.js';
import { SOURCE_KNOWN_SPLITS } from '../../operators/source.js';
import { redistributeOperatorState, type OperatorStateList } from '../../state/operator-state.js';
import { redistributeRawState, type RestoredRawState } from '../../state/raw-state.js';
import type { ParsedKeyedState } from '../../state/snapshot-format.js';
import type { LoadedChannelState, LoadedCheckpoint, LoadedOperatorState } from './load-checkpoint.js';
import { Diagnostics } from '../../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../diagnostic-error.js';
import { CheckpointRestoreError } from './restore-error.js';
import { migrateKeyedState, rowMigrationsOf } from './state-migration.js';
import { checkLoadedSnapshot } from './snapshot-summary.js';

/** Which operator subtask restores what, and what the user should know about it. */
export interface RestorePlan {
  readonly checkpointId: number;
  readonly restore: (operator: Operator, subtask: number) => OperatorSubtaskRestore | undefined;
  /** Dropped empty state, operators that start empty, migrations performed: one sentence each. */
  readonly notes: readonly string[];
  /** The compatibility check made before anything was restored; absent for a snapshot without its job graph. */
  readonly report?: CompatibilityReport;
  /** An unaligned checkpoint's records in flight, replayed into their channels before new input (channel-replay.ts). */
  readonly inFlight: readonly LoadedChannelState[];
}

export interface RestorePlanOptions {
  /** Drop state whose operator uid is not in the job instead of refusing (`--allow-non-restored-state`). */
  readonly allowNonRestoredState?: boolean;
}

const keyOf = (uid: string | null, id: string) => (uid === null ? `#${id}` : uid);
const nameOf = (uid: string | null, id: string) => (uid === null ? `operator ${id} (no uid)` : `operator uid '${uid}'`);

/**
 * Matches a checkpoint's state to `graph` as Flink does: by uid (operators without one by their generated id).
 * Refused with a CheckpointRestoreError: another max parallelism (key groups cannot be remapped), state whose
 * operator is gone (unless allowed; empty state is skipped with a note), and an operator of another kind at the
 * same uid. The full compatibility check of state schemas is `sluice compile --check-savepoint`.
 * Keyed state goes to the subtasks whose key groups it covers; operator state is redistributed as declared, raw
 * state by its own rule (raw-state.ts).
 */
export function planRestore(graph: JobGraph, loaded: LoadedCheckpoint, options: RestorePlanOptions = {}): RestorePlan {
  const { metadata } = loaded;
  const source = `${metadata.type} ${metadata.checkpointId} (${loaded.description})`;
  if (metadata.maxParallelism !== graph.config.maxParallelism) {
    throw new CheckpointRestoreError(
      `cannot restore ${source}: it was taken with pipeline.max-parallelism ${metadata.maxParallelism} and this job has ${graph.config.maxParallelism}; ` +
        'keyed state is divided into that many key groups, which cannot be remapped',
      `set 'pipeline.max-parallelism' = '${metadata.maxParallelism}' again (parallelism may change freely up to it), or start without the ${metadata.type}`,
    );
  }
  const operators = new Map(graph.operators.map((op) => [keyOf(op.uid, op.id), op]));
  const byKey = new Map<string, LoadedOperatorState>();
  const notes: string[] = [];
  for (const state of loaded.operators) {
    const { uid, id, kind } = state.entry;
    const key = keyOf(uid, id);
    const operator = operators.get(key);
    if (operator === undefined) {
      if (isEmpty(state)) continue;
      if (options.allowNonRestoredState === true) {
        notes.push(`the state of ${nameOf(uid, id)} (${kind}) in ${source} is dropped: no operator of the job has that uid`);
        continue;
      }
      throw new CheckpointRestoreError(
        `cannot restore ${source}: it holds state of ${nameOf(uid, id)} (${kind}), and no operator of this job has that uid`,
        `put the step with UID '${uid ?? id}' back, or allow dropping its state (--allow-non-restored-state, or the Node API option allowNonRestoredState)`,
      );
    }
    if (operator.spec.kind !== kind) {
      throw new CheckpointRestoreError(
        `cannot restore ${source}: ${nameOf(uid, id)} was a ${kind} operator and is a ${operator.spec.kind} operator in this job`,
        'give the new step a new UID (it then starts empty), or keep the old step under its uid',
      );
    }
    const spec = operator.spec;
    const oldParallelism = state.entry.parallelism;
    const recordsKnownSplits = state.operatorState.some((lists) => lists.some((list) => list.name === SOURCE_KNOWN_SPLITS));
    if (spec.kind === 'source' && spec.connector === 'file' && spec.options['mode'] === 'continuous' && oldParallelism !== operator.parallelism && !recordsKnownSplits) {
      // Its subtasks discover new files by hash of the path, and a snapshot without `known-splits` (written before
      // Sluice kept it) tells each only its own files: at another parallelism one would read again from the start a
      // file another subtask read.
      throw new CheckpointRestoreError(
        `cannot restore ${source}: the continuous file source ${nameOf(uid, id)} ran with parallelism ${oldParallelism} and would run with ${operator.parallelism}, which it cannot do without reading files twice`,
        `restore at parallelism ${oldParallelism} (--parallelism ${oldParallelism}), or switch the source to 'mode' = 'bounded' for this restore`,
      );
    }
    byKey.set(key, state);
  }
  for (const [key, operator] of operators) {
    if (!byKey.has(key) && (operator.state.length > 0 || operator.spec.kind === 'source')) {
      notes.push(`${nameOf(operator.uid, operator.id)} (${operator.spec.kind}) is not in ${source}: it starts empty`);
    }
  }
  checkInFlightChannels(graph, loaded, source);
  const report = checkLoadedSnapshot(loaded, graph, options.allowNonRestoredState === true);
  if (report !== undefined) refuseUnrestorable(report, source);
  const migrations = report === undefined ? new Map() : rowMigrationsOf(report, loaded);
  for (const migration of migrations.values()) notes.push(`${migration.description} (${source})`);
  const migratedKeyed = new Map<string, readonly ParsedKeyedState[]>();

  const redistributed = new Map<string, OperatorStateList[][]>();
  const redistributedRaw = new Map<string, RestoredRawState[][]>();
  return {
    checkpointId: metadata.checkpointId,
    notes,
    inFlight: loaded.channelState,
    ...(report === undefined ? {} : { report }),
    restore: (operator, subtask) => {
      const key = keyOf(operator.uid, operator.id);
      const state = byKey.get(key);
      if (state === undefined) return undefined;
      let keyed = migratedKeyed.get(key);
      if (keyed === undefined) {
        keyed = migrateKeyedState(state.keyed, operator.uid === null ? undefined : migrations.get(operator.uid));
        migratedKeyed.set(key, keyed);
      }
      let lists = redistributed.get(key);
      if (lists === undefined) {
        lists = redistributeOperatorState(state.operatorState, operator.parallelism);
        redistributed.set(key, lists);
      }
      let raw = redistributedRaw.get(key);
      if (raw === undefined) {
        raw = redistributeRawState(state.rawState, operator.parallelism);
        redistributedRaw.set(key, raw);
      }
      const range = keyGroupRangeForSubtask(subtask, operator.parallelism, metadata.maxParallelism);
      return {
        keyed: keyed.filter((k) => rangesIntersect(k.header.keyGroupRange, range)),
        operatorState: lists[subtask] ?? [],
        rawState: raw[subtask] ?? [],
        checkpointId: metadata.checkpointId,
      };
    },
  };
}

/** A failed check refuses the restore before any state is handed to a task, with every blocking reason. */
function refuseUnrestorable(report: CompatibilityReport, source: string): void {
  if (report.restorable) return;
  const blocking = report.operators.flatMap((op) => [
    ...op.findings.filter((f) => f.severity === 'error'),
    ...op.states.flatMap((s) => s.reasons.filter((f) => f.severity === 'error')),
  ]);
  const unique = [...new Map(blocking.map((f) => [f.message, f])).values()];
  throw new CheckpointRestoreError(
    `cannot restore ${source}: the job is not compatible with it:\n${unique.map((f) => `  - ${f.message}`).join('\n')}`,
    [...new Set(unique.flatMap((f) => (f.help === undefined ? [] : [f.help])))].join('; ') ||
      'run `sluice compile <file> --check-savepoint <dir>` for the full report',
  );
}

/**
 * Records in flight need their connection in the new job (SLC9240); on a broadcast connection they were recorded
 * per receiving subtask and cannot follow a new parallelism (SLC9241). Keyed, forward and rebalancing ones rescale.
 */
function checkInFlightChannels(graph: JobGraph, loaded: LoadedCheckpoint, source: string): void {
  const parallelismOf = new Map(graph.operators.map((op) => [op.id, op.parallelism]));
  const oldParallelismOf = new Map(loaded.metadata.operators.map((op) => [op.id, op.parallelism]));
  for (const { file } of loaded.channelState) {
    const { from, to, toInput } = file.edge;
    const edge = graph.edges.find((e) => e.from === from && e.to === to && e.toInput === toInput);
    if (edge === undefined) throw new DiagnosticError(Diagnostics.InFlightEdgeMissing, { source, from, to });
    const oldParallelism = oldParallelismOf.get(to);
    const newParallelism = parallelismOf.get(to);
    if (edge.partitioning === 'broadcast' && (oldParallelism !== newParallelism || oldParallelismOf.get(from) !== parallelismOf.get(from))) {
      throw new DiagnosticError(Diagnostics.InFlightBroadcastRescale, { source, from, to, oldParallelism: oldParallelism ?? '?', newParallelism: newParallelism ?? '?' });
    }
  }
}

function isEmpty(state: LoadedOperatorState): boolean {
  return (
    state.keyed.every((k) => k.entries.length === 0) &&
    state.operatorState.every((lists) => lists.every((l) => l.items.length === 0)) &&
    state.rawState.every((states) => states.every((raw) => raw.bytes.length === 0))
  );
}
