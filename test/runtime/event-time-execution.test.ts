import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { windowStart } from '../../runtime/operators/window-assign.js';
import { call, callbackSink, col, collector, edge, feedSource, graph, lit, op, schema, STRING, TIMESTAMP } from './job-graph-fixtures.js';

const events = schema(
  [
    ['ts', TIMESTAMP],
    ['user', STRING],
  ],
  { rowtime: 0 },
);
const windowed = schema([
  ['ts', TIMESTAMP],
  ['user', STRING],
  ['window_start', TIMESTAMP],
  ['window_end', TIMESTAMP],
]);

/** WATERMARK FOR ts AS ts - INTERVAL '5' SECOND. */
const watermark = call('-', TIMESTAMP, col(0, TIMESTAMP), lit(5000, { name: 'INTERVAL' }));

function windowJob(window: { type: 'tumble'; timeIndex: number; sizeMs: number } | { type: 'hop'; timeIndex: number; sizeMs: number; slideMs: number }) {
  const ops = [
    feedSource('clicks', events, 1, watermark),
    op('win', { kind: 'window_assign', window }, { inputs: [events], output: windowed, uid: null }),
    callbackSink('out', windowed),
  ];
  return graph(ops, [edge('clicks', 'win'), edge('win', 'out')]);
}

describe('event time', () => {
  it('TUMBLE appends epoch-aligned window bounds', async () => {
    const out = collector();
    const rows = [[1_000, 'a'], [59_999, 'b'], [60_000, 'c'], [-1, 'd']];
    const job = await Job.start(windowJob({ type: 'tumble', timeIndex: 0, sizeMs: 60_000 }), { sources: { clicks: rows }, sinks: { out: out.callback } });
    await job.done;
    expect(out.rows).toEqual([
      [1_000, 'a', 0, 60_000],
      [59_999, 'b', 0, 60_000],
      [60_000, 'c', 60_000, 120_000],
      [-1, 'd', -60_000, 0],
    ]);
  });

  it('HOP copies a row into every window containing it, in window order', async () => {
    const out = collector();
    const job = await Job.start(windowJob({ type: 'hop', timeIndex: 0, sizeMs: 30_000, slideMs: 10_000 }), {
      sources: { clicks: [[25_000, 'a'], [null, 'no time']] },
      sinks: { out: out.callback },
    });
    await job.done;
    expect(out.rows).toEqual([
      [25_000, 'a', 0, 30_000],
      [25_000, 'a', 10_000, 40_000],
      [25_000, 'a', 20_000, 50_000],
    ]);
  });

  it('windowStart floors negative times too', () => {
    expect(windowStart(-1, 10)).toBe(-10);
    expect(windowStart(-10, 10)).toBe(-10);
    expect(windowStart(19, 10)).toBe(10);
  });

  it('generates source watermarks from the WATERMARK expression and ends at +Infinity', async () => {
    const seen: (number | null)[] = [];
    let job: Job | undefined;
    const rows = Array.from({ length: 50 }, (_, i) => [i * 1000, 'u']);
    job = await Job.start(windowJob({ type: 'tumble', timeIndex: 0, sizeMs: 10_000 }), {
      sources: { clicks: rows },
      sinks: {
        out: () => {
          seen.push(job?.metrics().operators.find((m) => m.id === 'win')?.watermark ?? null);
        },
      },
      batchSize: 10,
    });
    const result = await job.done;
    // The sink sees each batch before the watermark that follows it: after batch k (rows up to k*10+9 s),
    // the window operator has the watermark of batch k-1: max ts - 5 s.
    expect(seen.slice(1, 4)).toEqual([4_000, 14_000, 24_000]);
    expect(result.metrics.operators.find((m) => m.id === 'win')!.watermark).toBe(Infinity);
  });
});

describe('watermarks across parallel inputs', () => {
  it('a task holds its watermark at the slowest input channel', async () => {
    const ops = [
      feedSource('fast', events, 1, watermark),
      feedSource('slow', events, 1, watermark),
      op('u', { kind: 'union' }, { inputs: [events, events], output: events, uid: null }),
      callbackSink('out', events),
    ];
    const g = graph(ops, [edge('fast', 'u', 'rebalance'), edge('slow', 'u', 'rebalance', { toInput: 1 }), edge('u', 'out')]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield [10_000, 'slow'];
      await gate;
      yield [20_000, 'slow'];
    }
    const job = await Job.start(g, { sources: { fast: [[100_000, 'fast']], slow: slow() }, sinks: { out: () => {} } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // fast has ended (+Infinity); slow is at 10 s - 5 s.
    expect(job.metrics().operators.find((m) => m.id === 'u')!.watermark).toBe(5_000);
    release();
    await job.done;
  });
});
