import { describe, expect, it } from 'vitest';
import { bidsJob, checkPair, codesOf, operatorIn } from './pipe-pairs.js';

function fileJob(options: string): string {
  return `
CREATE SOURCE events (id BIGINT, name STRING) WITH ('connector' = 'file', 'path' = 'in/events.jsonl'${options}) UID 'events';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM events;`;
}

describe('source options rule', () => {
  it('lets a bounded file source continue as a continuous one, and says what changed', () => {
    const report = checkPair(fileJob(''), fileJob(`, 'mode' = 'continuous', 'source.monitor-interval' = '5 s'`));
    expect(report.restorable).toBe(true);
    expect(codesOf(report, 'events')).toEqual(['SLC6021']);
    expect(operatorIn(report, 'events').findings[0]!.message).toBe(
      "source 'events' continues from its recorded position with changed options: 'mode' 'bounded' → 'continuous', 'source.monitor-interval' '1000' → '5000'",
    );
    expect(operatorIn(report, 'events').states.map((s) => [s.name, s.verdict])).toEqual([
      ['splits', 'compatible'],
      ['known-splits', 'compatible'],
    ]);
  });

  it('lets a Nexmark source change its rate and become unbounded', () => {
    const report = checkPair(bidsJob('', `'connector' = 'nexmark', 'table' = 'bid', 'events' = '1000'`), bidsJob('', `'connector' = 'nexmark', 'table' = 'bid', 'rate' = '500'`));
    expect(report.restorable).toBe(true);
    expect(operatorIn(report, 'bids').findings[0]!.message).toContain("'events' '1000' → (unset), 'rate' '10000' → '500'");
  });

  it('lets a datagen source change its rows per second', () => {
    const datagen = (rate: string): string => `
CREATE SOURCE s (a BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${rate}') UID 's';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM s;`;
    const report = checkPair(datagen('10'), datagen('100'));
    expect(report.restorable).toBe(true);
    expect(codesOf(report, 's')).toEqual(['SLC6021']);
  });

  it('lets a source declare or change its primary key, and says so', () => {
    const keyed = (key: string): string => `
CREATE SOURCE events (id BIGINT, name STRING${key}) WITH ('connector' = 'file', 'path' = 'in/events.jsonl') UID 'events';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM events;`;
    const report = checkPair(keyed(''), keyed(', PRIMARY KEY (id) NOT ENFORCED'));
    expect(report.restorable).toBe(true);
    expect(operatorIn(report, 'events').findings[0]!.message).toBe("source 'events' continues from its recorded position with changed options: PRIMARY KEY (none) → (id)");
    expect(codesOf(checkPair(keyed(', PRIMARY KEY (id) NOT ENFORCED'), keyed(', PRIMARY KEY (id) NOT ENFORCED')), 'events')).toEqual([]);
  });

  it('says nothing when the options are the same', () => {
    expect(codesOf(checkPair(fileJob(''), fileJob('')), 'events')).toEqual([]);
  });
});
