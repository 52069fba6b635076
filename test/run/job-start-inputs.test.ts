import { describe, expect, it } from 'vitest';
import { Job, JobInputError, OperatorFailure } from '../../index.js';
import type { JobOptions } from '../../runtime/execution/job-options.js';
import { compilePipe } from '../operators/run-pipe.js';

const PROGRAM = `
CREATE SOURCE readings (k STRING NOT NULL, v BIGINT) WITH ('connector' = 'datagen') UID 'readings';
CREATE SOURCE limits (k STRING NOT NULL) WITH ('connector' = 'datagen') UID 'limits';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
CREATE SINK also WITH ('connector' = 'blackhole') UID 'also';
INSERT INTO out FROM readings;
INSERT INTO also FROM limits |> EXTEND 1 AS v;
`;

/** Job.start's refusal of `options`, having checked that no feed was read and no sink called. */
async function refusal(options: JobOptions): Promise<JobInputError> {
  const error: unknown = await Job.start(compilePipe(PROGRAM), options).then(
    async (job) => {
      await job.cancel();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobInputError);
  return error as JobInputError;
}

/** A feed that records whether anything iterated it. */
function watchedFeed(): { feed: Iterable<unknown[]>; read: () => boolean } {
  let read = false;
  return {
    feed: {
      *[Symbol.iterator]() {
        read = true;
        yield ['a', 1];
      },
    },
    read: () => read,
  };
}

describe('Job.start checks the sources and sinks it is given', () => {
  it.each<[string, JobOptions, string, RegExp]>([
    ['a sources key that is no uid', { sources: { reading: [] } }, 'SLC9160', /^`sources` names 'reading', but the job has no source with that uid\ngive one of its source uids: 'readings', 'limits'$/],
    ['a sink uid among the sources', { sources: { out: [] } }, 'SLC9160', /`sources` names 'out', but the job has no source with that uid/],
    ['a sinks key that is no uid', { sinks: { readings: () => undefined } }, 'SLC9160', /^`sinks` names 'readings', but the job has no sink with that uid\ngive one of its sink uids: 'out', 'also'$/],
    ['a number for a feed', { sources: { readings: 42 as never } }, 'SLC9161', /^source 'readings' is fed 42, which is not an iterable or async iterable of rows\n/],
    ['a plain object for a feed', { sources: { limits: { k: 'a' } as never } }, 'SLC9161', /^source 'limits' is fed an object, which is not/],
    ['text for a feed', { sources: { limits: 'abc' as never } }, 'SLC9161', /^source 'limits' is fed "abc", which is not/],
    ['a non-function sink', { sinks: { out: [] as never } }, 'SLC9162', /^sink 'out' is given an array, not a function\ngive a callback/],
  ])('refuses %s before anything runs', async (_, options, code, message) => {
    const watched = watchedFeed();
    const error = await refusal({ ...options, sources: { readings: watched.feed, ...options.sources } });
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(watched.read()).toBe(false);
  });

  it('names the uid at fault as data', async () => {
    const error = await refusal({ sinks: { nope: () => undefined } });
    expect([error.uid, error.row, error.column]).toEqual(['nope', undefined, undefined]);
  });

  it('accepts a Map, async iterables and generators', async () => {
    const rows: unknown[][] = [];
    async function* limits() {
      yield { k: 'x' };
    }
    const job = await Job.start(compilePipe(PROGRAM), {
      sources: new Map<string, Iterable<unknown[]> | AsyncIterable<{ k: string }>>([
        ['readings', [['a', 1]]],
        ['limits', limits()],
      ]) as never,
      sinks: { out: (batch) => void rows.push(...batch.map((r) => [...r])), also: (batch) => void rows.push(...batch.map((r) => [...r])) },
    });
    expect((await job.done).status).toBe('finished');
    expect(rows.sort()).toEqual([['a', 1], ['x', 1]]);
  });
});

describe('cancel()', () => {
  it('resolves for a job that had failed, with the error done rejected with', async () => {
    const job = await Job.start(compilePipe(PROGRAM), { sources: { readings: [{ k: null, v: 1 }], limits: [] } });
    const failure: unknown = await job.done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OperatorFailure);
    const result = await job.cancel();
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toBe(failure);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('resolves with the result of a job that had finished', async () => {
    const job = await Job.start(compilePipe(PROGRAM), { sources: { readings: [], limits: [] } });
    await job.done;
    expect((await job.cancel()).status).toBe('finished');
  });
});
