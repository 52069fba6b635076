import type { ProcessStep } from '../../grammar/ast/index.js';
import { closestMatch, didYouMean } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import { checkExpr } from '../expressions/check-expr.js';
import { widensTo } from '../expressions/coercion.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { ProcessFunctionSignature } from '../functions/registry.js';
import type { StreamSchema } from '../graph/job-graph.js';
import { typeToString } from '../types/sql-type.js';
import { operatorName, stepText } from './operator-names.js';
import type { PlanContext } from './plan-context.js';
import { materializeWindow } from './plan-window.js';
import { scopeOf, type PlannedStream } from './planned-stream.js';
import { keyFieldsOf, processState } from './state-declarations.js';

function signatureText(sig: ProcessFunctionSignature): string {
  return `${sig.name}(${sig.args.map(typeToString).join(', ')})`;
}

/** The arguments checked against the signature: same count, each assignable without a CAST. */
function checkArguments(step: ProcessStep, sig: ProcessFunctionSignature, args: readonly TypedExpr[], ctx: PlanContext): boolean {
  const name = sig.name;
  const signature = signatureText(sig);
  if (args.length !== sig.args.length) {
    ctx.bag.report(Diagnostics.ProcessArgumentCount, step.function.span, { name, expected: sig.args.length, actual: args.length, signature });
    return false;
  }
  let ok = true;
  args.forEach((arg, i) => {
    const expected = sig.args[i]!;
    if (widensTo(arg.type, expected)) return;
    ok = false;
    ctx.bag.report(Diagnostics.ProcessArgumentType, step.args[i]!.span, {
      position: i + 1,
      name,
      actual: typeToString(arg.type),
      expected: typeToString(expected),
      signature,
    });
  });
  return ok;
}

/**
 * `PROCESS fn(args) [PARTITION BY keys]` → `process`, running a function registered through the Node API.
 * Keyed (hash-partitioned, keyed state) with PARTITION BY; otherwise only operator list state is possible. Raw
 * state (bytes per subtask) goes with either.
 * Output: the input's schema for `output: 'input'`, else the declared columns as an append-only stream.
 */
export function planProcess(input: PlannedStream, step: ProcessStep, ctx: PlanContext): PlannedStream | undefined {
  const stream = materializeWindow(input, ctx);
  if (stream === undefined) return undefined;
  const name = step.function.name;
  const sig = ctx.processes.get(name);
  if (sig === undefined) {
    ctx.bag.report(Diagnostics.UnknownProcessFunction, step.function.span, { name, hint: didYouMean(closestMatch(name, ctx.processes.keys())) });
    return undefined;
  }
  const scope = scopeOf(stream);
  const args = step.args.map((a) => checkExpr(a, scope, ctx.exprs));
  const keys = step.partitionBy.map((k) => checkExpr(k, scope, ctx.exprs));
  if (args.some((a) => a === undefined) || keys.some((k) => k === undefined)) return undefined;
  const typedArgs = args as TypedExpr[];
  const typedKeys = keys as TypedExpr[];
  if (!checkArguments(step, sig, typedArgs, ctx)) return undefined;
  const partitioned = typedKeys.length > 0;
  const unkeyable = partitioned ? undefined : sig.state.find((s) => s.kind !== 'list' && s.kind !== 'raw');
  if (unkeyable !== undefined) {
    ctx.bag.report(Diagnostics.KeyedStateWithoutPartition, step.span, { name, kind: unkeyable.kind, state: unkeyable.name });
    return undefined;
  }
  const expiringOperatorState = partitioned ? undefined : sig.state.find((s) => s.ttl !== undefined);
  if (expiringOperatorState !== undefined) {
    ctx.bag.report(Diagnostics.TtlOnOperatorState, step.span, { name, state: expiringOperatorState.name });
    return undefined;
  }
  const keyedRedistribution = partitioned ? sig.state.find((s) => s.redistribution !== undefined) : undefined;
  if (keyedRedistribution !== undefined) {
    ctx.bag.report(Diagnostics.RedistributionOfKeyedState, step.span, { name, state: keyedRedistribution.name });
    return undefined;
  }
  // A function may emit a row more than once: its output has no unique key.
  const { uniqueKey: _, ...passed } = stream.schema;
  const output: StreamSchema = sig.output === 'input' ? passed : { fields: [...sig.output], changelog: 'append' };
  const node = ctx.graph.add({
    uid: step.uid?.value ?? null,
    name: operatorName('Process', stepText(ctx.source, step)),
    inputs: [stream.schema],
    output,
    state: processState(sig.state, partitioned ? keyFieldsOf(typedKeys) : undefined),
    span: step.span,
    spec: { kind: 'process', function: name, args: typedArgs, ...(partitioned ? { keys: typedKeys } : {}) },
  });
  ctx.graph.connect(stream.node, node, 0, partitioned ? typedKeys : undefined);
  return { node, schema: output, qualifiers: sig.output === 'input' ? stream.qualifiers : output.fields.map(() => undefined) };
}
