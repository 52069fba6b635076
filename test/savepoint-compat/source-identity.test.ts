import { describe, expect, it } from 'vitest';
import { checkPair, codesOf, operatorIn } from './pipe-pairs.js';

function sourceJob(columns: string, options: string): string {
  return `
CREATE SOURCE events (${columns}) WITH (${options}) UID 'events';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM events;`;
}

function fileJob(options: string): string {
  return sourceJob('id BIGINT, name STRING', options);
}

describe('source identity rule', () => {
  it('flags a source that reads another path under the same uid', () => {
    const report = checkPair(fileJob(`'connector' = 'file', 'path' = 'in/a.jsonl'`), fileJob(`'connector' = 'file', 'path' = 'in/b.jsonl'`));
    expect(report.restorable).toBe(false);
    expect(codesOf(report, 'events')).toEqual(['SLC6020']);
    expect(operatorIn(report, 'events').findings[0]!.message).toBe(
      "source 'events' changed its 'path' from 'in/a.jsonl' to 'in/b.jsonl': the positions recorded in the savepoint are positions in the old one",
    );
    // Both the positions and the record of files read are of the other path.
    expect(operatorIn(report, 'events').states.map((s) => [s.name, s.verdict])).toEqual([
      ['splits', 'incompatible'],
      ['known-splits', 'incompatible'],
    ]);
  });

  it('flags another format', () => {
    const report = checkPair(
      fileJob(`'connector' = 'file', 'path' = 'in/data', 'format' = 'csv'`),
      fileJob(`'connector' = 'file', 'path' = 'in/data', 'format' = 'jsonl'`),
    );
    expect(codesOf(report, 'events')).toEqual(['SLC6020']);
  });

  it('flags another connector', () => {
    const report = checkPair(fileJob(`'connector' = 'file', 'path' = 'in/a.jsonl'`), fileJob(`'connector' = 'datagen'`));
    expect(operatorIn(report, 'events').findings[0]!.message).toContain("changed its connector from 'file' to 'datagen'");
  });

  it('flags another Nexmark table', () => {
    const report = checkPair(
      sourceJob('id BIGINT, seller BIGINT', `'connector' = 'nexmark', 'table' = 'auction'`),
      sourceJob('id BIGINT, name STRING', `'connector' = 'nexmark', 'table' = 'person'`),
    );
    expect(codesOf(report, 'events')).toEqual(['SLC6020']);
  });
});
