import { Diagnostics } from '../../diagnostics/catalogue.js';
import { renderExpr } from '../../exporters/render-expr.js';
import type { AggregateCall, Operator } from '../../graph/job-graph.js';
import { typeToString } from '../../types/sql-type.js';
import { accumulatorStateOf } from './accumulator-states.js';
import { finding, pairsOfKind, type OperatorOf, type RestoredPair, type Rule, type Verdict } from './rule.js';
import { valueMigrationVerdicts } from './value-migration-verdicts.js';

type AggregateStep = OperatorOf<'group_aggregate' | 'window_aggregate'>;

function inputNames(op: Operator): string[] {
  return (op.inputs[0]?.fields ?? []).map((f) => f.name);
}

/** What an accumulator is made of: the function, DISTINCT and the argument's type. */
function signature(call: AggregateCall): string {
  return `${call.function}(${call.distinct ? 'DISTINCT ' : ''}${call.args.map((a) => typeToString(a.type)).join(', ')})`;
}

/** `SUM(price BIGINT)`, `COUNT(*)`: a call in messages, with its argument's type since that is what may change. */
function callText(call: AggregateCall, input: readonly string[]): string {
  const args = call.args.map((a) => `${renderExpr(a, input)} ${typeToString(a.type)}`).join(', ');
  return `${call.function}(${call.args.length === 0 ? '*' : `${call.distinct ? 'DISTINCT ' : ''}${args}`})`;
}

function argumentsText(call: AggregateCall, input: readonly string[]): string {
  return call.args.map((a) => renderExpr(a, input)).join(', ');
}

/**
 * Aggregates are matched by alias. One whose function, DISTINCT or argument type changed holds accumulators of
 * something else; a new one has none in the restored groups. A changed argument of the same type restores but is
 * worth a warning. Removed aggregates and reordered ones migrate the accumulator layout.
 */
function judge({ uid, previous, next, savedStates }: RestoredPair<AggregateStep, AggregateStep>): Verdict[] {
  const state = accumulatorStateOf(next)!;
  const before = new Map(previous.spec.aggregates.map((c) => [c.name, c]));
  const [oldInput, newInput] = [inputNames(previous), inputNames(next)];
  const verdicts: Verdict[] = [];
  for (const call of next.spec.aggregates) {
    const old = before.get(call.name);
    if (old === undefined) {
      const text = `${callText(call, newInput)} AS ${call.name}`;
      verdicts.push({ uid, state, verdict: 'incompatible', finding: finding(Diagnostics.AggregateAdded, { uid, call: text }) });
    } else if (signature(old) !== signature(call)) {
      const args = { uid, name: call.name, previous: callText(old, oldInput), next: callText(call, newInput) };
      verdicts.push({ uid, state, verdict: 'incompatible', finding: finding(Diagnostics.AggregateChanged, args) });
    } else if (argumentsText(old, oldInput) !== argumentsText(call, newInput)) {
      const args = { uid, name: call.name, previous: argumentsText(old, oldInput), next: argumentsText(call, newInput) };
      verdicts.push({ uid, state, verdict: 'compatible', finding: finding(Diagnostics.AggregateArgumentChanged, args) });
    }
  }
  const saved = savedStates.get(state)?.descriptor;
  const layout = next.state.find((s) => s.name === state);
  if (verdicts.some((v) => v.verdict === 'incompatible') || saved === undefined || layout === undefined) return verdicts;
  return [...verdicts, ...valueMigrationVerdicts(uid, state, saved.valueType, layout.valueType)];
}

export const aggregateCallsRule: Rule = (ctx) => pairsOfKind(ctx, 'group_aggregate', 'window_aggregate').flatMap(judge);
