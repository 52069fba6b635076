import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finalCounts, restoringSetUp } from './restoring-harness.js';

const counts = `|> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'bids-per-auction'`;

describe('a savepoint moved to another directory', () => {
  const setUp = restoringSetUp();
  afterAll(setUp.dispose);

  it('restores from its new place, and the output continues exactly as an undisturbed run', async () => {
    const reference = finalCounts(await setUp.runThrough('reference', counts));
    const savepoint = await setUp.stopWithSavepoint('out', counts);

    // Renamed, not copied: nothing may still point into the old directory.
    const moved = path.join(setUp.dir, 'elsewhere', 'moved-savepoint');
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    fs.renameSync(savepoint, moved);

    const { job, rows } = await setUp.resume('out', counts, moved);
    expect(job.restoreInfo).toMatchObject({ kind: 'restored', type: 'savepoint', location: moved });
    expect(finalCounts(rows)).toEqual(reference);
  });
});
