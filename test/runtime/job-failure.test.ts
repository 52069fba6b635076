import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { OperatorFailure } from '../../runtime/execution/operator-failure.js';
import { asyncRows, BIGINT, call, callbackSink, col, collector, edge, feedSource, graph, lit, op, schema } from './job-graph-fixtures.js';

const input = schema([
  ['id', BIGINT],
  ['divisor', BIGINT],
]);

/** source → project(100 / divisor) → sink, with the project at `parallelism`. */
function divide(parallelism: number) {
  const ops = [
    feedSource('numbers', input),
    op('ratio', { kind: 'project', exprs: [col(0), call('/', BIGINT, lit(100), col(1))] }, { inputs: [input], output: input, parallelism }),
    callbackSink('out', input, parallelism),
  ];
  return graph(ops, [edge('numbers', 'ratio', parallelism === 1 ? 'forward' : 'rebalance'), edge('ratio', 'out')]);
}

describe('a failing operator fails the job', () => {
  it.each([1, 2])('names the operator uid, subtask, .pipe position, row and source position (parallelism %d)', async (parallelism) => {
    const rows = [[1, 5], [2, 4], [3, 0], [4, 2]];
    const job = await Job.start(divide(parallelism), { sources: { numbers: asyncRows(rows) }, sinks: { out: collector().callback } });
    const failure = await job.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(OperatorFailure);
    const message = (failure as OperatorFailure).message;
    expect(message).toMatch(new RegExp(`^operator 'ratio' \\(project\\(ratio\\)\\) subtask [12]/${parallelism} failed at job\\.pipe:\\d+:1: .*division by zero`));
    expect(message).toContain('row: [3,0]');
    if (parallelism === 1) expect(message).toContain("rows from: source split 'feed' after position");
    expect((failure as OperatorFailure).uid).toBe('ratio');
  });

  it('reports a failing sink callback, synchronous or asynchronous, by the sink uid', async () => {
    const rows = [[1, 1]];
    const sync = await Job.start(divide(1), {
      sources: { numbers: rows },
      sinks: {
        out: () => {
          throw new Error('downstream service refused');
        },
      },
    });
    await expect(sync.done).rejects.toThrow(/^operator 'out' .*subtask 1\/1 failed at .*: downstream service refused/);

    const async = await Job.start(divide(1), {
      sources: { numbers: rows },
      sinks: { out: () => Promise.reject(new Error('timeout writing')) },
    });
    await expect(async.done).rejects.toThrow(/^operator 'out' .*: timeout writing/);
  });

  it('fails when a source feed throws, naming the source', async () => {
    async function* broken() {
      yield [1, 1];
      throw new Error('feed broke');
    }
    const job = await Job.start(divide(1), { sources: { numbers: broken() }, sinks: { out: collector().callback } });
    await expect(job.done).rejects.toThrow(/^operator 'numbers' .*: feed broke/);
  });
});
