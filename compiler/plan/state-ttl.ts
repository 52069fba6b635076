import type { Script, Step, UidClause } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { intervalLiteral } from '../expressions/literals.js';
import type { Operator, OperatorKind, OperatorSpec } from '../graph/job-graph.js';
import { pipelinesOf } from '../names/pipelines.js';

/** The specs of the operator kinds whose keyed state grows without bound unless it expires, and which implement state TTL. */
type TtlSpec = Extract<OperatorSpec, { kind: 'group_aggregate' | 'join' | 'deduplicate' }>;

const TTL_KINDS: ReadonlySet<OperatorKind> = new Set<TtlSpec['kind']>(['group_aggregate', 'join', 'deduplicate']);

function takesTtl(spec: OperatorSpec): spec is TtlSpec {
  return TTL_KINDS.has(spec.kind);
}

/** Why a step cannot take a TTL, by the kind of operator its UID names. */
const NO_TTL_REASON: Partial<Record<OperatorKind, string>> = {
  window_aggregate: 'a window aggregate cleans its own state, dropping each window once the watermark passes its end',
  window_join: "a window join cleans its own state, dropping each window's rows once the watermark passes its end",
  interval_join: 'an interval join cleans its own state, dropping rows once the watermark passes their time bounds',
  process: "a process function sets the TTL of each of its states, in its state declarations' `ttl`",
};

function stepKeyword(step: Step): string {
  return step.kind.replace(/Step$/, '').toUpperCase();
}

/**
 * Resolves the state TTL of every operator that supports it: its step's `UID '…' TTL INTERVAL …`, else the job's
 * `table.exec.state.ttl` (0 or absent: kept forever). A TTL written on a step whose state expires by itself
 * (windows, interval joins) or that keeps none is an error (SLC2050). Returns the operators with `stateTtlMs`
 * set in their specs.
 */
export function resolveStateTtl(script: Script, operators: readonly Operator[], defaultTtlMs: number, bag: DiagnosticBag): Operator[] {
  const byUid = new Map(operators.flatMap((op) => (op.uid === null ? [] : [[op.uid, op] as const])));
  const written = new Map<string, number>();
  for (const { pipeline } of pipelinesOf(script)) {
    for (const step of pipeline.steps) {
      const ttl = step.uid?.ttl;
      if (ttl === undefined) continue;
      const uid = step.uid as UidClause;
      const ms = ttlMs(uid, bag);
      const op = byUid.get(uid.value);
      if (op === undefined || !takesTtl(op.spec)) {
        const reason = (op && NO_TTL_REASON[op.spec.kind]) ?? 'it keeps no state';
        bag.report(Diagnostics.TtlOnSelfCleaningStep, ttl.span, { step: stepKeyword(step), uid: uid.value, reason });
        continue;
      }
      if (ms !== undefined) written.set(uid.value, ms);
    }
  }
  return operators.map((op) => {
    const spec = op.spec;
    if (!takesTtl(spec)) return op;
    const ms = Math.round((op.uid === null ? undefined : written.get(op.uid)) ?? defaultTtlMs);
    return ms <= 0 ? op : { ...op, spec: { ...spec, stateTtlMs: ms } };
  });
}

function ttlMs(uid: UidClause, bag: DiagnosticBag): number | undefined {
  const literal = intervalLiteral(uid.ttl!, bag);
  if (literal?.op !== 'literal') return undefined;
  const ms = literal.value as number;
  if (ms < 0) {
    bag.report(Diagnostics.NegativeTtl, uid.ttl!.span);
    return undefined;
  }
  return ms;
}
