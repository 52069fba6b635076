import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFunctions } from '../../../cli/load-functions.js';
import { jobFunctions } from '../../../runtime/execution/job-functions.js';
import { sortRows } from '../changelog.js';
import { runPipe } from '../run-pipe.js';

const SPREE_MS = 10 * 60 * 1000;

/** The sprees of examples/data/payments.csv (in time order), computed directly. */
function expectedSprees(): unknown[][] {
  const lines = readFileSync('examples/data/payments.csv', 'utf8').trim().split('\n').slice(1);
  const open = new Map<string, { start: number; total: number; payments: number }>();
  const alerts: unknown[][] = [];
  const close = (account: string) => {
    const spree = open.get(account)!;
    open.delete(account);
    if (spree.total >= 3000) alerts.push([account, spree.start, Math.round(spree.total * 100) / 100, spree.payments]);
  };
  for (const line of lines) {
    const [account, amount, , paidAt] = line.split(',') as [string, string, string, string];
    const time = Date.parse(paidAt);
    if (open.has(account) && time >= open.get(account)!.start + SPREE_MS) close(account);
    const spree = open.get(account) ?? { start: time, total: 0, payments: 0 };
    open.set(account, { ...spree, total: spree.total + Number(amount), payments: spree.payments + 1 });
  }
  for (const account of [...open.keys()]) close(account);
  return alerts;
}

describe('examples/process-alerts.pipe with examples/functions/alerts.js', () => {
  it.each([1, 2])('loads through the CLI loader, compiles, and finds the spending sprees of the sample data, at parallelism %i', async (parallelism) => {
    const loaded = await loadFunctions('examples/functions/alerts.js', process.cwd());
    expect(loaded.diagnostics).toEqual([]);
    const functions = loaded.value!;
    const run = await runPipe(readFileSync('examples/process-alerts.pipe', 'utf8'), {
      sources: {},
      parallelism,
      compile: { functions },
      job: jobFunctions(functions),
    });
    const expected = expectedSprees();
    expect(expected.length).toBeGreaterThan(1);
    expect(sortRows(run.sinks['spree-alerts-out']!.rows)).toEqual(sortRows(expected));
  });
});
