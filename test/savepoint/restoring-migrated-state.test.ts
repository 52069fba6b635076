import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runCompile } from '../../cli/commands/compile.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { CompatibilityReportSchema } from '../../compiler/savepoint-compat/report.js';
import { captureIO } from '../cli/capture-io.js';
import { bidsPipe, parseRow, restoringSetUp } from './restoring-harness.js';

// One source split (parallelism 1), so which bid is an auction's last does not depend on how splits interleave.
const lastBid = (columns: string) => `|> SELECT ${columns} |> DEDUPLICATE BY auction KEEP LAST UID 'last-bid'`;
const before = lastBid('auction, price');
const after = lastBid('auction, price, channel');

/** The rows a changelog nets to, as (auction, price) pairs: order-free, and blind to the added column. */
function netRows(lines: readonly string[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const row of lines.map(parseRow)) {
    const key = `${String(row['auction'])}:${String(row['price'])}`;
    net.set(key, (net.get(key) ?? 0) + (row.op === '+I' || row.op === '+U' ? 1 : -1));
  }
  for (const [key, n] of net) if (n === 0) net.delete(key);
  return net;
}

describe('a DEDUPLICATE KEEP LAST whose row gains a nullable column, restored from a savepoint', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);

  it('is compatible after migration, and the restored rows carry the new column as NULL', async () => {
    const reference = await setUp.runThrough('reference', after, 1);
    const savepoint = await setUp.stopWithSavepoint('out', before, 1);

    // The check a user runs before deploying says what the restore is about to do.
    fs.writeFileSync(path.join(setUp.dir, 'after.pipe'), bidsPipe('unused', after));
    const check = async (json: boolean) => {
      const io = captureIO(setUp.dir);
      const code = exitCodeFor(await runCompile('after.pipe', { set: [], color: false, quiet: false, checkSavepoint: savepoint, json }, io));
      return { code, stdout: io.out() };
    };
    const table = await check(false);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/last-row .* compatible after migration\n.*SLC6040.*gains nullable column 'channel'/);
    const report = CompatibilityReportSchema.parse(JSON.parse((await check(true)).stdout));
    const lastRow = report.operators.find((op) => op.uid === 'last-bid')!.states.find((s) => s.name === 'last-row')!;
    expect(lastRow.verdict).toBe('compatible-after-migration');

    const { job, rows } = await setUp.resume('out', after, savepoint, 1);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', notes: [expect.stringMatching(/'last-row' of operator uid 'last-bid' are migrated/)] });
    // Only rows from the savepoint lack a channel: the resumed job retracts them with the column NULL.
    const resumedRows = rows.map(parseRow).filter((row) => 'channel' in row);
    const restoredRetractions = resumedRows.filter((row) => row['channel'] === null);
    expect(restoredRetractions.length).toBeGreaterThan(0);
    expect(restoredRetractions.every((row) => row.op === '-U' || row.op === '-D')).toBe(true);
    // The last bid of every auction is the same as in an undisturbed run of the new query.
    expect(netRows(rows)).toEqual(netRows(reference));
  });
});

describe('a DEDUPLICATE KEEP LAST whose INT column widens to BIGINT, restored from a savepoint', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);

  it('restores the widened rows: every auction ends with the last bid of an undisturbed run', async () => {
    const widened = lastBid('auction, price');
    const reference = await setUp.runThrough('reference', widened, 1);
    const savepoint = await setUp.stopWithSavepoint('out', lastBid('auction, CAST(price AS INT) AS price'), 1);
    const { job, rows } = await setUp.resume('out', widened, savepoint, 1);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', notes: [expect.stringMatching(/'last-row' of operator uid 'last-bid' are migrated/)] });
    expect(netRows(rows)).toEqual(netRows(reference));
  });
});

describe('a window aggregate whose aggregates are reordered, restored from a savepoint', () => {
  // A watermark far behind: few windows fire before the stop, so the savepoint holds many, packed per auction.
  const setUp = restoringSetUp("'1' MINUTE");
  afterAll(setUp.dispose);

  const perWindow = (aggregates: string) =>
    `|> WINDOW TUMBLE(date_time, INTERVAL '1' SECOND) |> AGGREGATE ${aggregates} GROUP BY auction, window_start, window_end UID 'per-window'`;

  it('migrates each packed window of a key: the windows fire as in an undisturbed run of the new query', async () => {
    const after = perWindow('MAX(price) AS top, COUNT(*) AS bids');
    const reference = await setUp.runThrough('reference', after, 1);
    const savepoint = await setUp.stopWithSavepoint('out', perWindow('COUNT(*) AS bids, MAX(price) AS top'), 1);
    const { job, rows } = await setUp.resume('out', after, savepoint, 1);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', notes: [expect.stringMatching(/'windows' of operator uid 'per-window' are migrated/)] });
    const windows = (lines: readonly string[]) => lines.map(parseRow).map((row) => JSON.stringify([row['auction'], row['window_start'], row['top'], row['bids']])).sort();
    expect(reference.length).toBeGreaterThan(100);
    expect(windows(rows)).toEqual(windows(reference));
  });
});
