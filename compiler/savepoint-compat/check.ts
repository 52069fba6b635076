import { describeState } from '../exporters/describe.js';
import type { JobGraph, Operator } from '../graph/job-graph.js';
import { matchOperators, type OperatorMatch } from './operator-matches.js';
import {
  COMPATIBILITY_REPORT_FORMAT_VERSION,
  type CompatibilityReport,
  type OperatorReport,
  type StateReport,
  type StateVerdict,
  type Step,
} from './report.js';
import { RULES } from './rules/index.js';
import type { RuleContext, Verdict } from './rules/rule.js';
import type { SnapshotContents } from './snapshot-contents.js';

export interface CompatibilityOptions {
  /** `--allow-non-restored-state`: state nothing in the new job restores is dropped instead of failing the check. */
  readonly allowNonRestoredState: boolean;
}

/** From harmless to fatal: a state's verdict is the worst of its own and its step's. */
const SEVERITY_ORDER: readonly StateVerdict[] = ['compatible', 'starts-empty', 'skipped', 'compatible-after-migration', 'dropped', 'incompatible'];

function worst(verdicts: readonly Verdict[]): StateVerdict {
  return verdicts.reduce<StateVerdict>((w, v) => (SEVERITY_ORDER.indexOf(v.verdict) > SEVERITY_ORDER.indexOf(w) ? v.verdict : w), 'compatible');
}

function step(op: Operator | undefined): Step | undefined {
  return op === undefined ? undefined : { kind: op.spec.kind, name: op.name, origin: op.origin };
}

/** The new step's states in its order, then those only the savepoint has. */
function stateNames(match: OperatorMatch): string[] {
  return [...new Set([...(match.next?.state ?? []).map((s) => s.name), ...match.savedStates.keys()])];
}

function stateReport(match: OperatorMatch, name: string, stepVerdicts: readonly Verdict[], own: readonly Verdict[]): StateReport {
  const all = [...stepVerdicts, ...own];
  const verdict = worst(all);
  const blocking = all.some((v) => v.finding.severity === 'error');
  const saved = match.savedStates.get(name);
  const descriptor = match.next?.state.find((s) => s.name === name) ?? saved?.descriptor;
  return {
    name,
    description: descriptor === undefined ? name : describeState(descriptor),
    ...(saved?.size === undefined ? {} : { size: saved.size }),
    verdict,
    blocking,
    // A state that cannot be restored is not migrated nor started empty: only what stands in the way is said.
    reasons: own.filter((v) => !blocking || v.finding.severity !== 'note').map((v) => v.finding),
    migrations: verdict === 'compatible-after-migration' ? own.flatMap((v) => v.migrations ?? []) : [],
  };
}

function operatorReport(match: OperatorMatch, verdicts: readonly Verdict[]): OperatorReport {
  const stepVerdicts = verdicts.filter((v) => v.state === undefined);
  const previous = step(match.previous);
  const next = step(match.next);
  return {
    uid: match.uid,
    status: !match.saved ? 'new' : match.next === undefined ? 'dropped' : 'restored',
    ...(previous === undefined ? {} : { previous }),
    ...(next === undefined ? {} : { next }),
    findings: stepVerdicts.map((v) => v.finding),
    states: stateNames(match).map((name) => stateReport(match, name, stepVerdicts, verdicts.filter((v) => v.state === name))),
  };
}

/**
 * Whether the job `next` can start from a snapshot taken of the job `previous`, state by state, as a restore
 * would map it: by uid alone. Pure: the snapshot's data is described by `snapshot`, never read.
 */
export function checkCompatibility(
  previous: JobGraph,
  next: JobGraph,
  snapshot: SnapshotContents,
  options: CompatibilityOptions,
): CompatibilityReport {
  const matches = matchOperators(previous, next, snapshot);
  const ctx: RuleContext = { next, snapshot, allowNonRestoredState: options.allowNonRestoredState, matches };
  const verdicts = RULES.flatMap((rule) => rule(ctx));
  const operators = matches.map((m) => operatorReport(m, verdicts.filter((v) => v.uid === m.uid)));
  return {
    formatVersion: COMPATIBILITY_REPORT_FORMAT_VERSION,
    restorable: verdicts.every((v) => v.finding.severity !== 'error'),
    allowNonRestoredState: options.allowNonRestoredState,
    savepoint: { pipelineName: previous.name, file: previous.file, maxParallelism: snapshot.maxParallelism },
    job: { pipelineName: next.name, file: next.file, maxParallelism: next.config.maxParallelism },
    operators,
  };
}
