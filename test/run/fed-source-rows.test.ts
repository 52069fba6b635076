import { describe, expect, it } from 'vitest';
import { Job, JobInputError, OperatorFailure } from '../../index.js';
import { feedSourceConnector, type SourceRow } from '../../runtime/operators/iterable-source.js';
import { compilePipe, runPipe } from '../operators/run-pipe.js';

/**
 * Rows fed to a source through the Node API are checked against the source's schema where they enter: converted
 * by SQL's cast rules where that is unambiguous, else refused with a JobInputError naming the source uid, the
 * row's index in the feed and the column.
 */

const TOTALS = `
CREATE SOURCE readings (k STRING NOT NULL, v BIGINT) WITH ('connector' = 'datagen') UID 'readings';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM readings |> AGGREGATE SUM(v) AS total GROUP BY k UID 'totals';
`;

const ALL_TYPES = `
CREATE SOURCE src (
  b BOOLEAN, i INT, n BIGINT, d DOUBLE, m DECIMAL(6, 2), s STRING, t TIMESTAMP(3), must BIGINT NOT NULL
) WITH ('connector' = 'datagen') UID 'src';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM src;
`;

/** The error a job fed `rows` fails with, through compile(), Job.start and done. */
async function failureOf(program: string, rows: Iterable<SourceRow> | AsyncIterable<SourceRow>, batchSize?: number): Promise<OperatorFailure> {
  const uid = program === TOTALS ? 'readings' : 'src';
  const error: unknown = await runPipe(program, { sources: { [uid]: rows }, ...(batchSize === undefined ? {} : { job: { batchSize } }) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperatorFailure);
  return error as OperatorFailure;
}

function inputError(failure: OperatorFailure): JobInputError {
  expect(failure.cause).toBeInstanceOf(JobInputError);
  return failure.cause as JobInputError;
}

/** A full row of ALL_TYPES with one column replaced. */
function rowWith(column: string, value: unknown): SourceRow {
  return { b: true, i: 1, n: 2, d: 3.5, m: 4.25, s: 'x', t: 0, must: 7, [column]: value };
}

describe('rows fed to a source', () => {
  it("convert integer text for a BIGINT column: '10' and 5 sum to 15, not the string '0105'", async () => {
    const run = await runPipe(TOTALS, { sources: { readings: [{ k: 'a', v: '10' }, { k: 'a', v: 5 }] } });
    expect(run.sinks['out']!.rows.at(-1)).toEqual(['a', 15]);
  });

  it('convert each JS value by the cast rules of its column', async () => {
    const run = await runPipe(ALL_TYPES, {
      sources: {
        src: [
          { b: 'TRUE', i: '-42', n: 9007199254740991n, d: '4.5', m: '12.345', s: 12, t: '2024-01-01T00:00:01.5Z', must: 1 },
          [false, 7n, ' 8 ', 1n, 2, true, new Date(Date.UTC(2024, 0, 1)), '3'],
          { s: 10n, t: 1_700_000_000_000.9, must: 0, d: undefined, m: null },
          { d: Number.NEGATIVE_INFINITY, must: 0 },
        ],
      },
    });
    expect(run.sinks['out']!.rows).toEqual([
      [true, -42, 9007199254740991, 4.5, 12.35, '12', Date.UTC(2024, 0, 1, 0, 0, 1, 500), 1],
      [false, 7, 8, 1, 2, 'true', Date.UTC(2024, 0, 1), 3],
      [null, null, null, null, null, '10', 1_700_000_000_000, 0],
      [null, null, null, Number.NEGATIVE_INFINITY, null, null, null, 0],
    ]);
  });

  it.each<[string, string, unknown, RegExp]>([
    ['a fraction for an integer', 'n', 1.5, /column 'n' \(BIGINT\): expected a BIGINT, got 1\.5$/m],
    ['text that is no integer', 'i', 'ten', /column 'i' \(INT\): expected an INT, got "ten"$/m],
    ['an INT out of range', 'i', 2 ** 31, /column 'i' \(INT\): 2147483648 is out of the range of INT/],
    ['a bigint beyond 2^53', 'n', 2n ** 60n, /column 'n' \(BIGINT\): 1152921504606846976n is beyond ±2\^53/],
    ['a number for a BOOLEAN', 'b', 1, /column 'b' \(BOOLEAN\): expected true or false, got 1$/m],
    ['an object for a STRING', 's', { name: 'x' }, /column 's' \(STRING\): expected a STRING, got an object$/m],
    ['a Date for a STRING', 's', new Date(0), /column 's' \(STRING\): expected a STRING, got a Date \(1970-01-01T00:00:00\.000Z\)$/m],
    ['an invalid Date', 't', new Date(Number.NaN), /column 't' \(TIMESTAMP\(3\)\): expected a TIMESTAMP\(3\), got an invalid Date$/m],
    ['text that is no timestamp', 't', '01/02/2024', /column 't' \(TIMESTAMP\(3\)\): expected a TIMESTAMP/],
    ['a DECIMAL too wide', 'm', 123456, /column 'm' \(DECIMAL\(6, 2\)\): 123456 does not fit DECIMAL\(6, 2\)/],
    ['NaN for a BIGINT', 'n', Number.NaN, /column 'n' \(BIGINT\): expected a BIGINT, got NaN$/m],
    ['a timestamp beyond the Date range', 't', 8_640_000_000_000_001, /column 't' \(TIMESTAMP\(3\)\): 8640000000000001 is out of the range of TIMESTAMP/],
  ])('refuse %s, naming the source, the row and the column', async (_, column, value, message) => {
    const error = inputError(await failureOf(ALL_TYPES, [rowWith('s', 'fine'), rowWith(column, value)]));
    expect(error.code).toBe('SLC9167');
    expect([error.uid, error.row, error.column]).toEqual(['src', 1, column]);
    expect(error.message).toMatch(/^source 'src' row 1: /);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/\ngive /);
  });

  it('refuse a missing NOT NULL column, counting rows across batches', async () => {
    const rows: SourceRow[] = [...Array.from({ length: 5 }, (_, i) => ({ k: 'a', v: i })), { v: 2 }];
    const failure = await failureOf(TOTALS, rows, 2);
    const error = inputError(failure);
    expect([error.code, error.uid, error.row, error.column]).toEqual(['SLC9166', 'readings', 5, 'k']);
    expect(failure.message).toMatch(
      /^operator 'readings' \(.*\) subtask 1\/1 failed at test\.pipe:2:1: \[SLC9166\] source 'readings' row 5: column 'k' is STRING NOT NULL, but the row gives it no value\n(.*\n)*  = help: give every NOT NULL column a value/,
    );
  });

  it('refuse rows of the wrong shape', async () => {
    const cases: [SourceRow | number, string, RegExp][] = [
      [{ k: 'a', v: 1, vv: 2 }, 'SLC9165', /row 0 has 'vv', which the source has no column for\nits columns are k, v/],
      [['a'], 'SLC9164', /row 0 has 1 values, but the source has 2 columns\ngive one value per column, in this order \(null for NULL\): k, v/],
      [42, 'SLC9163', /row 0 is 42, not a row\nyield arrays in column order \(k, v\) or objects by column name/],
    ];
    for (const [row, code, message] of cases) {
      const error = inputError(await failureOf(TOTALS, [row as SourceRow]));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
  });

  it('refuse a bad row of an async feed the same way', async () => {
    async function* feed(): AsyncGenerator<SourceRow> {
      yield { k: 'a', v: 1 };
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield { k: 'a', v: 'x' };
    }
    const error = inputError(await failureOf(TOTALS, feed()));
    expect([error.code, error.row, error.column]).toEqual(['SLC9167', 1, 'v']);
  });

  it('fail the job at once, even where the restart strategy would restart it: the same row would fail again', async () => {
    // Checkpointing makes exponential-delay restarts (without end) the default.
    const graph = compilePipe(TOTALS, { settings: { 'execution.checkpointing.interval': '1h', 'state.backend.type': 'memory' } });
    expect(graph.config.restartStrategy.type).toBe('exponential-delay');
    const job = await Job.start(graph, { sources: { readings: [{ k: 'a', v: 1 }, { k: 'a', v: 'x' }] }, sinks: { out: () => undefined } });
    const restarts: unknown[] = [];
    job.on('restart', (event) => restarts.push(event));
    const failure: unknown = await job.done.catch((error: unknown) => error);
    expect(inputError(failure as OperatorFailure).code).toBe('SLC9167');
    expect(restarts).toEqual([]);
  });

  it('number rows from the start of the feed after a restore that skips the rows already read', () => {
    const graph = compilePipe(TOTALS);
    const source = graph.operators.find((op) => op.uid === 'readings')!;
    const feed: SourceRow[] = [['a', 1], ['b', 2], ['c', 3], ['d', 4], [null, 5]];
    const reader = feedSourceConnector('readings', feed, source.output).createReader({ id: 'feed' }, { rows: 3 });
    expect(() => reader.readSync!(10)).toThrow(expect.objectContaining({ code: 'SLC9166', row: 4, column: 'k' }));
  });
});
