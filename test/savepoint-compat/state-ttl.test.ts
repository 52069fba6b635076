import { describe, expect, it } from 'vitest';
import type { ProcessStateDeclaration } from '../../compiler/functions/registry.js';
import { bidsJob, checkPair, codesOf, operatorIn, stateIn } from './pipe-pairs.js';
import { LAST_PRICE, processFunctions } from './process-functions.js';

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

describe('TTL of process-function state', () => {
  const ttl = (ms: number): ProcessStateDeclaration => ({ ...LAST_PRICE, ttl: { ms, update: 'on-create-and-write', visibility: 'never-return-expired' } });
  const watch = bidsJob(`|> PROCESS watch(price) PARTITION BY auction UID 'p'`);

  it('lets a state TTL be added, changed or removed, with a note per state', () => {
    const added = checkPair(watch, watch, { functions: processFunctions([LAST_PRICE]), nextFunctions: processFunctions([ttl(3_600_000)]) });
    expect(added.restorable).toBe(true);
    expect(codesOf(added, 'p', 'last')).toEqual(['SLC2061']);
    expect(stateIn(added, 'p', 'last').reasons[0]!.message).toBe(
      "the TTL of state 'last' of 'p' changes from none (kept forever) to 1 h (on-create-and-write, never-return-expired)",
    );
    const removed = checkPair(watch, watch, { functions: processFunctions([ttl(1000)]), nextFunctions: processFunctions([LAST_PRICE]) });
    expect(removed.restorable).toBe(true);
    expect(codesOf(removed, 'p', 'last')).toEqual(['SLC2061']);
  });

  it('says nothing when the TTL is the same', () => {
    expect(codesOf(checkPair(watch, watch, { functions: processFunctions([ttl(1000)]) }), 'p', 'last')).toEqual([]);
  });
});
