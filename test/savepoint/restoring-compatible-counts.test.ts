import { afterAll, describe, expect, it } from 'vitest';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { finalCounts, restoringSetUp } from './restoring-harness.js';

const counts = `|> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'bids-per-auction'`;
const evenCounts = `${counts} |> WHERE auction % 2 = 0`;

describe('a compatible change restored from a savepoint taken midway', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);

  it('continues a continuous COUNT per key exactly: the final counts equal an undisturbed run of the new query', async () => {
    const reference = finalCounts(await setUp.runThrough('reference', evenCounts));
    const savepoint = await setUp.stopWithSavepoint('out', counts);
    const beforeStop = finalCounts(committedRows(`${setUp.dir}/out`));
    // Taken midway: some even key still had bids to count after the savepoint.
    expect([...reference].some(([auction, bids]) => (beforeStop.get(auction) ?? 0) < bids)).toBe(true);

    const { job, rows } = await setUp.resume('out', evenCounts, savepoint);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint' });
    const resumed = finalCounts(rows);
    const even = new Map([...resumed].filter(([auction]) => auction % 2 === 0));
    expect(even).toEqual(reference);
    // Odd keys stopped at their counts at the savepoint: the new query filters them out.
    for (const [auction, bids] of resumed) if (auction % 2 === 1) expect(bids).toBe(beforeStop.get(auction));
  });
});
