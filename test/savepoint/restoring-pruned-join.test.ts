import { afterAll, describe, expect, it } from 'vitest';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { finalCounts, restoringSetUp } from './restoring-harness.js';

/**
 * A regular join followed by an aggregate now stores only the columns the two read (compiler/plan/plan-join.ts).
 * A savepoint of the join storing whole rows (a WHERE between join and aggregate keeps them whole) restores into
 * the pruned one: the stored rows are migrated to the pruned columns, and the final counts equal an undisturbed
 * run's. Bids join their own rows by auction and price (a price is seldom drawn twice for one auction), so each
 * auction's count is its pairs of equal price; the self-join also has two edges between the same subtasks.
 */
const join = `|> JOIN bid AS y ON bid.auction = y.auction AND bid.price = y.price UID 'self-join'`;
const counts = `|> AGGREGATE COUNT(*) AS bids GROUP BY bid.auction AS auction UID 'bids-per-auction'`;
const whole = `${join} |> WHERE bid.auction = y.auction ${counts}`;
const pruned = `${join} ${counts}`;

describe('a regular join whose inputs are now pruned, restored from a savepoint of it whole', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);

  it('migrates the stored rows to the pruned columns: the final counts equal an undisturbed run', async () => {
    const reference = finalCounts(await setUp.runThrough('reference', pruned, 1));
    const savepoint = await setUp.stopWithSavepoint('out', whole, 1);
    const beforeStop = finalCounts(committedRows(`${setUp.dir}/out`));
    // Taken midway: some auction still had bids to join after the savepoint.
    expect([...reference].some(([auction, bids]) => (beforeStop.get(auction) ?? 0) < bids)).toBe(true);

    const { job, rows } = await setUp.resume('out', pruned, savepoint, 1);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', notes: expect.arrayContaining([expect.stringMatching(/'left-rows', 'right-rows' of operator uid 'self-join' are migrated/)]) });
    expect(finalCounts(rows)).toEqual(reference);
  });
});
