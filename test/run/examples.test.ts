import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLineSchema } from '../../cli/metrics-json.js';
import type { RunFlags } from '../../cli/commands/run.js';
import { ROOT, runInProcess } from './run-in-process.js';
import { spawnSluice } from './spawn-sluice.js';

const EXAMPLES = join(ROOT, 'examples');

/** The values of printed rows `<prefix>> +I[a, b, …]` (the print sink's format), per line. */
function printedRows(stdout: string, prefix: string): string[][] {
  const lines = stdout.split('\n').filter((line) => line !== '');
  const pattern = new RegExp(`^${prefix === '' ? '' : `${prefix}> `}\\+I\\[(.*)\\]$`);
  return lines.filter((line) => line.startsWith(prefix)).map((line) => {
    const match = pattern.exec(line);
    if (match === null) throw new Error(`not an insert row of '${prefix}': ${line}`);
    return match[1]!.split(', ');
  });
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Example {
  readonly flags?: Partial<RunFlags>;
  /** What the example's print sinks must have written. */
  check(stdout: string): Promise<void> | void;
}

/** Examples with bounded inputs and print sinks only: they run in this process, from the repository root. */
const IN_PROCESS: Readonly<Record<string, Example>> = {
  'quickstart.pipe': {
    check(stdout) {
      const windows = printedRows(stdout, '');
      expect(windows.length).toBeGreaterThan(0);
      for (const [start, end, bigBids, topPrice] of windows) {
        expect(start).toMatch(ISO);
        expect(Date.parse(end!) - Date.parse(start!)).toBe(1000);
        expect(Number(bigBids)).toBeGreaterThan(0);
        expect(Number(topPrice)).toBeGreaterThan(100_000);
      }
    },
  },
  'dedup-events.pipe': {
    async check(stdout) {
      const input = (await readFile(join(EXAMPLES, 'data', 'events.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
      const ids = new Set(input.map((line) => (JSON.parse(line) as { event_id: string }).event_id));
      expect(ids.size).toBeLessThan(input.length);
      const printedIds = printedRows(stdout, 'event').map(([id]) => id);
      expect(printedIds.length).toBe(ids.size);
      expect(new Set(printedIds)).toEqual(ids);
      // The running counts per type (an updating stream): their latest values add up to the unique events.
      const latest = new Map<string, number>();
      for (const [, type, count] of stdout.matchAll(/^count> [+-][IU]\[(\w+), (\d+)\]$/gm)) latest.set(type!, Number(count));
      expect([...latest.values()].reduce((sum, n) => sum + n, 0)).toBe(ids.size);
    },
  },
  'clickstream-sessions.pipe': {
    check(stdout) {
      const sessions = printedRows(stdout, 'session');
      expect(sessions.length).toBeGreaterThan(0);
      for (const [, start, end, clicks] of sessions) {
        expect(Date.parse(end!)).toBeGreaterThan(Date.parse(start!));
        expect(Number(clicks)).toBeGreaterThan(0);
      }
    },
  },
  'fraud-alerts.pipe': {
    check(stdout) {
      const alerts = printedRows(stdout, 'ALERT');
      expect(alerts.length).toBeGreaterThan(0);
      for (const [, channel, amount, , resetAt, paidAt] of alerts) {
        expect(['sms', 'email']).toContain(channel);
        expect(Number(amount)).toBeGreaterThanOrEqual(500);
        const delay = Date.parse(paidAt!) - Date.parse(resetAt!);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(5 * 60_000);
      }
    },
  },
  // Its CREATE FUNCTION loads examples/functions/alerts.js: no --functions.
  'process-alerts.pipe': {
    check(stdout) {
      const sprees = printedRows(stdout, 'SPREE');
      expect(sprees.length).toBeGreaterThan(0);
      for (const [, , total] of sprees) expect(Number(total)).toBeGreaterThanOrEqual(3000);
    },
  },
};

/** Examples that write files relative to the current directory: they run as a child process in a scratch one. */
const IN_SCRATCH_DIRECTORY = ['orders-revenue.pipe'];

describe('the examples', () => {
  it('are all covered here, so that a new example gets a test', async () => {
    const files = (await readdir(EXAMPLES)).filter((file) => file.endsWith('.pipe'));
    expect(files.sort()).toEqual([...Object.keys(IN_PROCESS), ...IN_SCRATCH_DIRECTORY].sort());
  });

  it.each(Object.entries(IN_PROCESS))('%s runs to the end of its input and prints its rows', async (name, example) => {
    const { code, stdout, stderr } = await runInProcess(`examples/${name}`, example.flags);
    expect(stderr).toMatch(/^job '[\w-]+' finished in /m);
    expect(code).toBe(0);
    await example.check(stdout);
  });

  it('orders-revenue.pipe commits its revenue files, accounting for every order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-orders-'));
    try {
      const run = spawnSluice(['run', join(EXAMPLES, 'orders-revenue.pipe'), '--metrics-json', 'metrics.jsonl'], dir);
      expect((await run.exit).code, run.stderr()).toBe(0);
      const outDir = join(dir, '.sluice', 'out', 'revenue');
      const names = await readdir(outDir);
      // Besides the part files, only the sink's hidden commit records (and nothing in progress or pending).
      const files = names.filter((name) => !name.startsWith('.sluice-commits-'));
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((file) => file.startsWith('part-'))).toBe(true);
      const rows = (await Promise.all(files.map((file) => readFile(join(outDir, file), 'utf8'))))
        .flatMap((text) => text.split('\n').filter((line) => line !== ''))
        .map((line) => JSON.parse(line) as { orders: number });
      const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
      const final = MetricsLineSchema.parse(JSON.parse(lines[lines.length - 1]!));
      expect(final.rowsRead).toBe(100_000);
      expect(final.rowsWritten).toBe(rows.length);
      // Orders are at most ten minutes out of order, within the watermark's delay: each is counted exactly once.
      expect(final.lateRowsDropped).toBe(0);
      expect(rows.reduce((sum, row) => sum + row.orders, 0)).toBe(100_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
