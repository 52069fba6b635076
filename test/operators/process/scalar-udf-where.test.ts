import { describe, expect, it } from 'vitest';
import type { ScalarUdf } from '../../../compiler/functions/registry.js';
import { sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';
import { PAYMENTS_SOURCE, payments } from './process-fixtures.js';

/** One definition serves compile() (its signature) and Job.start (its fn). */
const inEuro: ScalarUdf = { name: 'in_euro', args: [{ name: 'DOUBLE' }], returns: { name: 'DOUBLE' }, fn: (usd: number) => usd * 0.5 };

const program = `${PAYMENTS_SOURCE}\nINSERT INTO out FROM payments |> WHERE in_euro(amount) >= 20;`;

describe('a scalar UDF in a WHERE, end to end', () => {
  it.each([1, 2])('filters with the function registered at compile time and at start, at parallelism %i', async (parallelism) => {
    const rows = payments(500);
    const run = await runPipe(program, {
      sources: { payments: rows },
      parallelism,
      compile: { functions: { scalars: [inEuro] } },
      job: { udfs: { in_euro: inEuro } },
    });
    const expected = rows.filter((r) => r[1] !== null && (r[1] as number) * 0.5 >= 20);
    expect(expected.length).toBeGreaterThan(0);
    expect(sortRows(run.sinks['out']!.rows)).toEqual(sortRows(expected));
  });
});
