import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { RunMonitor } from '../../cli/run-monitor.js';
import type { JobMetrics, OperatorMetricsReport } from '../../runtime/execution/job-options.js';

const PROGRAM = `
CREATE SOURCE bids (auction BIGINT, price BIGINT, date_time TIMESTAMP(3), WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND)
  WITH ('connector' = 'nexmark', 'table' = 'bid') UID 'bids';
CREATE SINK a WITH ('connector' = 'blackhole') UID 'sink-a';
CREATE SINK b WITH ('connector' = 'blackhole') UID 'sink-b';
INSERT INTO a FROM bids |> WHERE price > 10;
INSERT INTO b FROM bids;
`;
const graph = compile(PROGRAM, { file: 'monitor.pipe', settings: { 'parallelism.default': '2' } }).value!;
const sourceChain = graph.chains.find((c) => c.operators[0] === 'bids')!.id;

interface Reading {
  readonly at: number;
  readonly read: number;
  readonly toA: number;
  readonly toB: number;
  readonly watermarks?: readonly [number | null, number | null];
  /** Back-pressure ratio of the two source subtasks since the previous reading. */
  readonly blocked?: readonly [number, number];
  readonly late?: number;
}

/** A `job.metrics()` reading with the given counters; everything the monitor does not read is left neutral. */
function metrics(r: Reading): JobMetrics {
  const report = (id: string, recordsIn: number, recordsOut: number, watermark: number | null = null): OperatorMetricsReport => {
    const op = graph.operators.find((o) => o.id === id)!;
    return { id, uid: op.uid, name: op.name, kind: op.spec.kind, parallelism: 2, recordsIn, recordsOut, lateRowsDropped: 0, parseErrorsSkipped: 0, newSplits: null, alignmentPausedMs: null, alignmentPausedSubtasks: 0, recordsInPerSecond: 0, recordsOutPerSecond: 0, watermark, subtasks: [] };
  };
  const operators = graph.operators.map((op) => {
    if (op.id === 'bids') return report('bids', 0, r.read);
    if (op.id === 'sink-a') return report('sink-a', r.toA, 0, r.watermarks?.[0] ?? null);
    if (op.id === 'sink-b') return report('sink-b', r.toB, 0, r.watermarks?.[1] ?? null);
    return { ...report(op.id, 0, 0), lateRowsDropped: r.late ?? 0 };
  });
  const blocked = r.blocked ?? [0, 0];
  const tasks = graph.chains.flatMap((chain) =>
    [0, 1].map((subtask) => ({ chain: chain.id, subtask, slot: null, backpressureRatio: chain.id === sourceChain ? blocked[subtask]! : 0.9, idleRatio: 0 })),
  );
  return { elapsedMs: r.at, operators, tasks };
}

describe('RunMonitor', () => {
  it('measures rates over its window from cumulative counts', () => {
    const monitor = new RunMonitor(graph, 1000);
    monitor.observe(metrics({ at: 500, read: 500, toA: 100, toB: 500 }));
    monitor.observe(metrics({ at: 1000, read: 1000, toA: 200, toB: 1000 }));
    const snapshot = monitor.observe(metrics({ at: 2000, read: 4000, toA: 300, toB: 4000 }));
    expect(snapshot).toMatchObject({ elapsedMs: 2000, rowsRead: 4000, rowsWritten: 4300, readPerSecond: 3000, writtenPerSecond: 3100 });
    expect(snapshot.sinks).toEqual([
      { uid: 'sink-a', rows: 300, rowsPerSecond: 100 },
      { uid: 'sink-b', rows: 4000, rowsPerSecond: 3000 },
    ]);
    expect(monitor.overall()).toMatchObject({ readPerSecond: 2000, writtenPerSecond: 2150 });
  });

  it('weights the back-pressure of source subtasks by time, ignoring other tasks', () => {
    const monitor = new RunMonitor(graph, 1000);
    monitor.observe(metrics({ at: 1000, read: 0, toA: 0, toB: 0, blocked: [0, 0] }));
    monitor.observe(metrics({ at: 1500, read: 0, toA: 0, toB: 0, blocked: [1, 1] }));
    const snapshot = monitor.observe(metrics({ at: 2000, read: 0, toA: 0, toB: 0, blocked: [0.5, 0] }));
    expect(snapshot.backpressure).toBeCloseTo((0.5 * 1 + 0.5 * 0.25) / 1, 6);
    expect(monitor.overall().backpressure).toBeCloseTo((500 + 125) / 2000, 6);
  });

  it('reports the lowest sink watermark, the end of input, and late rows', () => {
    const monitor = new RunMonitor(graph);
    expect(monitor.observe(metrics({ at: 100, read: 0, toA: 0, toB: 0 })).watermark).toBeNull();
    expect(monitor.observe(metrics({ at: 200, read: 0, toA: 0, toB: 0, watermarks: [5000, 3000], late: 2 }))).toMatchObject({ watermark: 3000, lateRowsDropped: 2 });
    expect(monitor.observe(metrics({ at: 300, read: 0, toA: 0, toB: 0, watermarks: [Infinity, Infinity] })).watermark).toBe(Infinity);
  });

  it('starts measuring again when a restart resets the counters', () => {
    const monitor = new RunMonitor(graph, 10_000);
    monitor.observe(metrics({ at: 1000, read: 5000, toA: 10, toB: 5000 }));
    const snapshot = monitor.observe(metrics({ at: 2000, read: 1000, toA: 0, toB: 1000 }));
    expect(snapshot.readPerSecond).toBe(1000);
  });
});
