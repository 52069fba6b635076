import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn } from './pipe-pairs.js';

const counts = (ttl: string, set = ''): string => `${set}${bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'agg'${ttl}`)}`;

describe('state TTL rule', () => {
  it('lets a TTL be added, with a note saying what changes', () => {
    const report = checkPair(counts(''), counts(" TTL INTERVAL '1' DAY"));
    expect(report.restorable).toBe(true);
    expect(codesOf(report, 'agg')).toEqual(['SLC2052']);
    expect(operatorIn(report, 'agg').findings[0]!.message).toBe("the state TTL of 'agg' changes from none (kept forever) to 1 d");
    expect(operatorIn(report, 'agg').states.map((s) => s.verdict)).toEqual(['compatible']);
  });

  it('lets a TTL be changed or removed, whether written on the step or set for the job', () => {
    const changed = checkPair(counts(" TTL INTERVAL '1' DAY"), counts('', "SET 'table.exec.state.ttl' = '2 h';"));
    expect(changed.restorable).toBe(true);
    expect(operatorIn(changed, 'agg').findings[0]!.message).toBe("the state TTL of 'agg' changes from 1 d to 2 h");
    const removed = checkPair(counts(" TTL INTERVAL '1' DAY"), counts(''));
    expect(removed.restorable).toBe(true);
    expect(operatorIn(removed, 'agg').findings[0]!.message).toBe("the state TTL of 'agg' changes from 1 d to none (kept forever)");
  });

  it('says nothing when the TTL is the same, however it is written', () => {
    expect(codesOf(checkPair(counts(" TTL INTERVAL '1' DAY"), counts('', "SET 'table.exec.state.ttl' = '24 h';")), 'agg')).toEqual([]);
  });
});
