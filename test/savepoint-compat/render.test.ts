import { describe, expect, it } from 'vitest';
import { renderReport, renderVerdict } from '../../compiler/savepoint-compat/render.js';
import { bidsJob, checkPair } from './pipe-pairs.js';

const OLD = bidsJob(`|> SELECT auction, bidder, price |> DEDUPLICATE BY auction KEEP FIRST UID 'first-bid' |> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY auction UID 'per-auction'`);

describe('the compatibility report for people', () => {
  it('lists every uid and state with its verdict, the reasons under it, and the verdict last', () => {
    const next = bidsJob(
      `|> SELECT auction, bidder, price |> DEDUPLICATE BY auction, bidder KEEP LAST UID 'latest' |> AGGREGATE SUM(price) AS total GROUP BY bidder UID 'per-auction'`,
      `'connector' = 'nexmark', 'table' = 'bid', 'rate' = '500'`,
    );
    expect(renderReport(checkPair(OLD, next))).toMatchInlineSnapshot(`
      "savepoint of 'old' (old.pipe) → 'job' (job.pipe), max parallelism 128

      UID          STATUS    STATE                                         SIZE                  VERDICT
      bids         restored  splits (operator list)                        3 entries, 100 bytes  compatible
        note[SLC6021]: source 'bids' continues from its recorded position with changed options: 'events' '1000' → (unset), 'rate' '10000' → '500'
      latest       new       last-row (keyed value, key (BIGINT, BIGINT))                        starts empty
        note[SLC6033]: 'latest' is not in the savepoint: it starts with empty state
      per-auction  restored  accumulators (keyed value, key BIGINT)        3 entries, 100 bytes  incompatible
          error[SLC6004]: the key of state 'accumulators' of 'per-auction' changed from (auction BIGINT) to (bidder BIGINT)
            --> job.pipe:7:94
            help: restored state is found by key, so a different GROUP BY, join, DEDUPLICATE or PARTITION BY key (or a renamed key column) cannot use it: keep the old key, rename columns in a later step, or give the step a new uid to start it empty
                             input-rows (keyed map, key BIGINT)                                  incompatible
          error[SLC6013]: the input of 'per-auction' now carries updates, but the savepoint kept no input rows to retract them from the restored groups
            --> job.pipe:7:94
            help: keep the input append-only for this step, or give it a new uid to start it empty
      out          restored  (no state)
      first-bid    dropped   first-seen (keyed value, key BIGINT)          3 entries, 100 bytes  dropped
          error[SLC6030]: the savepoint holds state 'first-seen' of 'first-bid' (3 entries, 100 bytes), which the new job does not restore
            --> old.pipe:7:37
            help: restore it with a step of uid 'first-bid' that keeps this state, or pass --allow-non-restored-state (-n) to drop it

      not restorable: 2 incompatible states, 1 dropped state (pass --allow-non-restored-state to drop it)
      "
    `);
  });

  it('says what restoring does when the savepoint restores', () => {
    const next = bidsJob(`|> SELECT auction, bidder, price |> AGGREGATE SUM(price) AS total GROUP BY auction UID 'per-auction'`);
    const report = checkPair(OLD, next, { empty: ['first-bid/first-seen'] });
    expect(renderReport(report)).toMatchInlineSnapshot(`
      "savepoint of 'old' (old.pipe) → 'job' (job.pipe), max parallelism 128

      UID          STATUS    STATE                                   SIZE                  VERDICT
      bids         restored  splits (operator list)                  3 entries, 100 bytes  compatible
      per-auction  restored  accumulators (keyed value, key BIGINT)  3 entries, 100 bytes  compatible after migration
          note[SLC6041]: state 'accumulators' of 'per-auction' loses column 'n.count': restoring drops its values
      out          restored  (no state)
      first-bid    dropped   first-seen (keyed value, key BIGINT)    empty                 skipped (empty)
          note[SLC6032]: state 'first-seen' of 'first-bid' is empty in the savepoint and the new job does not restore it: skipped

      restorable: 3 steps restored, 1 dropped; 1 state migrated, 1 skipped (empty)
      "
    `);
  });
});

describe('the one-line verdict', () => {
  it('counts the steps and the states that are not simply restored', () => {
    expect(renderVerdict(checkPair(OLD, OLD))).toBe('restorable: 4 steps restored');
    const withoutDedup = bidsJob(`|> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY auction UID 'per-auction'`);
    expect(renderVerdict(checkPair(OLD, withoutDedup, { allowNonRestoredState: true }))).toBe('restorable: 3 steps restored, 1 dropped; 1 state dropped');
  });

  it('names what stands in the way, and the flag that drops state', () => {
    const regrouped = bidsJob(`|> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY bidder UID 'per-auction'`);
    expect(renderVerdict(checkPair(OLD, regrouped))).toBe(
      'not restorable: 1 incompatible state, 1 dropped state (pass --allow-non-restored-state to drop it)',
    );
  });
});
