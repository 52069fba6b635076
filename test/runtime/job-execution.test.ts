import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import {
  asyncRows,
  BIGINT,
  call,
  callbackSink,
  col,
  collector,
  edge,
  feedSource,
  graph,
  lit,
  op,
  schema,
  STRING,
} from './job-graph-fixtures.js';

const input = schema([
  ['id', BIGINT],
  ['user', STRING],
  ['amount', BIGINT],
]);
const projected = schema([
  ['user', STRING],
  ['double_amount', BIGINT],
]);

/** source → filter(amount > 10) → project(user, amount * 2) → sink, at the given parallelisms. */
function pipeline(sourceParallelism: number, restParallelism: number) {
  const operators = [
    feedSource('orders', input, sourceParallelism),
    op('big', { kind: 'filter', condition: call('>', { name: 'BOOLEAN' }, col(2), lit(10)) }, { inputs: [input], output: input, parallelism: restParallelism, uid: null }),
    op('shape', { kind: 'project', exprs: [col(1, STRING), call('*', BIGINT, col(2), lit(2))] }, { inputs: [input], output: projected, parallelism: restParallelism, uid: null }),
    callbackSink('out', projected, restParallelism),
  ];
  const first = sourceParallelism === restParallelism ? edge('orders', 'big') : edge('orders', 'big', 'rebalance');
  return graph(operators, [first, edge('big', 'shape'), edge('shape', 'out')]);
}

const rows = Array.from({ length: 5000 }, (_, i) => [i, `user-${i % 7}`, i % 25]);
const expected = rows.filter((r) => (r[2] as number) > 10).map((r) => [r[1], (r[2] as number) * 2]);
const sortRows = (r: unknown[][]) => [...r].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('running a hand-built job graph', () => {
  it('source from an async iterable → filter → project → sink callback, parallelism 1, in order', async () => {
    const out = collector();
    const job = await Job.start(pipeline(1, 1), { sources: { orders: asyncRows(rows) }, sinks: { out: out.callback }, batchSize: 128 });
    const result = await job.done;
    expect(result.status).toBe('finished');
    expect(out.rows).toEqual(expected);
    const metrics = result.metrics.operators;
    expect(metrics.find((m) => m.id === 'big')).toMatchObject({ recordsIn: 5000, recordsOut: expected.length });
    expect(metrics.find((m) => m.id === 'out')).toMatchObject({ recordsIn: expected.length });
  });

  it('with every operator at parallelism 2 (the feed has one split, so one source subtask idles out)', async () => {
    const out = collector();
    const job = await Job.start(pipeline(2, 2), { sources: { orders: asyncRows(rows) }, sinks: { out: out.callback }, batchSize: 256 });
    await job.done;
    expect(out.rows).toEqual(expected);
  });

  it('with parallelism 2 after a rebalance, every row arrives exactly once', async () => {
    const out = collector();
    const job = await Job.start(pipeline(1, 2), { sources: { orders: rows }, sinks: { out: out.callback }, batchSize: 100, channelCapacity: 2 });
    await job.done;
    expect(sortRows(out.rows)).toEqual(sortRows(expected));
    expect(out.subtasks).toEqual(new Set([0, 1]));
  });

  it('with every task on the main thread a channel holds two batches by default, so a source runs at most a few batches ahead', async () => {
    // How far the source ran ahead of a slow sink (a task of its own, behind a rebalance): rows handed out by the
    // feed but not yet given to the sink, at most, over the run.
    const runAhead = async (options: { channelCapacity?: number }) => {
      let pulled = 0;
      let delivered = 0;
      let ahead = 0;
      function* counted() {
        for (const row of rows.slice(0, 1000)) {
          pulled++;
          yield row;
        }
      }
      const job = await Job.start(graph([feedSource('orders', input), callbackSink('out', input)], [edge('orders', 'out', 'rebalance')]), {
        sources: { orders: counted() },
        sinks: {
          out: {
            maxInFlight: 1,
            callback: (batch) => {
              ahead = Math.max(ahead, pulled - delivered);
              delivered += batch.length;
              return new Promise((resolve) => setTimeout(resolve, 1));
            },
          },
        },
        batchSize: 10,
        ...options,
      });
      await job.done;
      return ahead;
    };
    // Queued batches between tasks that take turns on the main thread only wait, their rows kept alive through young
    // collections: by default the channel holds two (besides the batch the sink has and the one the source reads).
    expect(await runAhead({})).toBeLessThanOrEqual(5 * 10);
    // Given, it is every channel's capacity.
    expect(await runAhead({ channelCapacity: 8 })).toBeGreaterThanOrEqual(7 * 10);
  });

  it('hash-partitions by key: each key reaches exactly one subtask', async () => {
    const seen = new Map<string, Set<number>>();
    const operators = [
      feedSource('orders', input, 1),
      callbackSink('out', input, 2),
    ];
    const g = graph(operators, [edge('orders', 'out', 'hash', { keys: [col(1, STRING)] })]);
    const job = await Job.start(g, {
      sources: { orders: rows },
      sinks: {
        out: (batch, { subtask }) => {
          for (const row of batch) (seen.get(row[1] as string) ?? seen.set(row[1] as string, new Set()).get(row[1] as string)!).add(subtask);
        },
      },
      batchSize: 64,
    });
    await job.done;
    expect(seen.size).toBe(7);
    for (const subtasks of seen.values()) expect(subtasks.size).toBe(1);
    expect(new Set([...seen.values()].flatMap((s) => [...s]))).toEqual(new Set([0, 1]));
  });

  it('unions two sources and ends when both have ended', async () => {
    const out = collector();
    const operators = [
      feedSource('a', input),
      feedSource('b', input),
      op('u', { kind: 'union' }, { inputs: [input, input], output: input, uid: null }),
      callbackSink('out', input),
    ];
    const g = graph(operators, [edge('a', 'u', 'rebalance'), edge('b', 'u', 'rebalance', { toInput: 1 }), edge('u', 'out')]);
    const job = await Job.start(g, { sources: { a: rows.slice(0, 100), b: asyncRows(rows.slice(100, 250)) }, sinks: { out: out.callback } });
    await job.done;
    expect(sortRows(out.rows)).toEqual(sortRows(rows.slice(0, 250)));
  });

  it('cancel() stops a job reading an endless source', async () => {
    async function* endless() {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield [i, 'u', 50];
      }
    }
    const out = collector();
    const job = await Job.start(pipeline(1, 1), { sources: { orders: endless() }, sinks: { out: out.callback } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await job.cancel();
    expect(result.status).toBe('cancelled');
    expect(out.rows.length).toBeGreaterThan(0);
  });
});
