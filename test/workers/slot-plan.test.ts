import { describe, expect, it } from 'vitest';
import type { ScalarUdf } from '../../compiler/functions/registry.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { MAIN_THREAD, describeMainThreadReason, describeSlotPlan, planSlots, type PlacementInputs } from '../../runtime/workers/slot-plan.js';
import { BID, compileGraph, sink } from '../plan/planning.js';

const NOTHING: PlacementInputs = { fedSources: new Set(), callbackSinks: new Set(), importableFunctions: new Set() };

const inEuro: ScalarUdf = { name: 'in_euro', args: [{ name: 'BIGINT' }], returns: { name: 'DOUBLE' }, fn: (usd: number) => usd * 0.9 };

function graphAt(parallelism: number, body = 'INSERT INTO out FROM bid |> WHERE price > 10 |> AGGREGATE COUNT(*) AS n GROUP BY auction UID \'counts\';'): JobGraph {
  return compileGraph(`${BID}\n${sink()}\n${body}`, { settings: { 'parallelism.default': String(parallelism) }, functions: { scalars: [inEuro] } });
}

/** Slot of every subtask, by chain: `chain id → [slot of subtask 0, …]`. */
function placement(graph: JobGraph, plan: ReturnType<typeof planSlots>): Record<string, number[]> {
  return Object.fromEntries(graph.chains.map((c) => [c.id, Array.from({ length: c.parallelism }, (_, s) => plan.slotOf(c, s))]));
}

describe('slot plan', () => {
  it('runs a job whose chains all have parallelism 1 in-process', () => {
    const graph = graphAt(1);
    const plan = planSlots(graph, NOTHING, 8);
    expect(plan.slots).toBe(0);
    expect(Object.values(placement(graph, plan)).flat()).toEqual(graph.chains.map(() => MAIN_THREAD));
  });

  it('gives parallelism p min(p, cap) slots and shares each slot among the subtasks of every chain', () => {
    const graph = graphAt(4);
    expect(graph.chains.length).toBeGreaterThan(1);
    const four = planSlots(graph, NOTHING, 8);
    expect(four.slots).toBe(4);
    for (const slots of Object.values(placement(graph, four))) expect(slots).toEqual([0, 1, 2, 3]);
    const capped = planSlots(graph, NOTHING, 3);
    expect(capped.slots).toBe(3);
    for (const slots of Object.values(placement(graph, capped))) expect(slots).toEqual([0, 1, 2, 0]);
  });

  it("takes its cap from 'taskmanager.numberOfTaskSlots'", () => {
    const graph = compileGraph(`${BID}\n${sink()}\nINSERT INTO out FROM bid;`, { settings: { 'parallelism.default': '4', 'taskmanager.numberOfTaskSlots': '2' } });
    expect(graph.config.taskSlots).toBe(2);
    expect(planSlots(graph, NOTHING).slots).toBe(2);
  });

  it('keeps chains that call into the Node program on the main thread, and says why', () => {
    const graph = graphAt(2, "INSERT INTO out FROM bid |> WHERE in_euro(price) > 10 |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'counts';");
    const fed = planSlots(graph, { ...NOTHING, fedSources: new Set(['bid-source']) }, 8);
    const sourceChain = graph.chains.find((c) => c.operators.some((id) => graph.operators.find((op) => op.id === id)!.spec.kind === 'source'))!;
    const sinkChain = graph.chains.find((c) => c.operators.some((id) => graph.operators.find((op) => op.id === id)!.spec.kind === 'sink'))!;
    expect(fed.mainThreadChains.get(sourceChain.id)).toEqual({ kind: 'fed-source', uid: 'bid-source' });
    expect(fed.slotOf(sourceChain, 1)).toBe(MAIN_THREAD);
    // The UDF is a closure here (not importable), so the source chain that filters with it stays too.
    const closure = planSlots(graph, NOTHING, 8);
    expect(closure.mainThreadChains.get(sourceChain.id)).toEqual({ kind: 'closure', function: 'in_euro' });
    expect(describeMainThreadReason(closure.mainThreadChains.get(sourceChain.id)!)).toBe("it calls function 'in_euro', given as a value rather than a module");
    expect(closure.slotOf(sinkChain, 1)).toBe(1);
    const importable = planSlots(graph, { ...NOTHING, importableFunctions: new Set(['in_euro']), callbackSinks: new Set(['out-sink']) }, 8);
    expect(importable.mainThreadChains.has(sourceChain.id)).toBe(false);
    expect(importable.mainThreadChains.get(sinkChain.id)).toEqual({ kind: 'callback-sink', uid: 'out-sink' });
  });

  it('needs no slots when every chain must stay on the main thread', () => {
    const graph = compileGraph(`${BID}\n${sink()}\nINSERT INTO out FROM bid;`, { settings: { 'parallelism.default': '2' } });
    expect(graph.chains).toHaveLength(1);
    const plan = planSlots(graph, { ...NOTHING, fedSources: new Set(['bid-source']) }, 8);
    expect(plan.slots).toBe(0);
  });
});

describe('slot plan of print sinks', () => {
  it('keeps a chain with a print sink on the main thread, whose console it writes to', () => {
    const graph = compileGraph(`${BID}\nCREATE SINK console WITH ('connector' = 'print') UID 'console';\nINSERT INTO console FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'counts';`, {
      settings: { 'parallelism.default': '2' },
    });
    const plan = planSlots(graph, NOTHING, 8);
    const printing = graph.chains.find((c) => c.operators.some((id) => graph.operators.find((op) => op.id === id)!.spec.kind === 'sink'))!;
    expect(plan.mainThreadChains.get(printing.id)).toEqual({ kind: 'console', uid: 'console' });
    expect(plan.slots).toBe(2);
  });
});

describe('the slot plan in words', () => {
  it("names the slots and each chain on the main thread by its head operator, with the reason", () => {
    const graph = compileGraph(`${BID}\nCREATE SINK console WITH ('connector' = 'print') UID 'console';\nINSERT INTO console FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'counts';`, {
      settings: { 'parallelism.default': '3' },
    });
    const head = graph.chains.find((c) => c.operators.includes(graph.operators.find((op) => op.uid === 'console')!.id))!.operators[0];
    expect(describeSlotPlan(graph, planSlots(graph, NOTHING, 2))).toBe(`threads: 2 worker threads (slots); on the main thread: [${head}] (sink 'console' prints to the console)`);
    expect(describeSlotPlan(graph, planSlots(graph, NOTHING, 1))).toBe(`threads: 1 worker thread (slots); on the main thread: [${head}] (sink 'console' prints to the console)`);
    expect(describeSlotPlan(graphAt(1), planSlots(graphAt(1), NOTHING, 8))).toBe('threads: every subtask on the main thread (parallelism 1, or every chain calls into the program)');
  });
});
