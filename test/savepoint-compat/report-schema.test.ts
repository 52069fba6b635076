import { describe, expect, it } from 'vitest';
import { COMPATIBILITY_REPORT_FORMAT_VERSION, CompatibilityReportSchema, exitCodeOf } from '../../compiler/savepoint-compat/report.js';
import { bidsJob, checkPair, operatorIn } from './pipe-pairs.js';

const OLD = bidsJob(`|> DEDUPLICATE BY auction KEEP FIRST UID 'd' |> SELECT auction, price |> DEDUPLICATE BY auction KEEP LAST UID 'latest'`);
const NEW = bidsJob(`|> SELECT auction, price, channel |> DEDUPLICATE BY auction KEEP LAST UID 'latest'`);

describe('the --json report', () => {
  it('survives JSON as its zod schema describes it, with a format version', () => {
    const report = checkPair(OLD, NEW, { allowNonRestoredState: true });
    expect(CompatibilityReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.formatVersion).toBe(COMPATIBILITY_REPORT_FORMAT_VERSION);
  });

  it('locates each step in the file it comes from', () => {
    const report = checkPair(OLD, NEW, { allowNonRestoredState: true });
    expect(operatorIn(report, 'latest').next?.origin).toMatchObject({ file: 'job.pipe', line: 7 });
    expect(operatorIn(report, 'd').previous?.origin).toMatchObject({ file: 'old.pipe', line: 7 });
    expect(operatorIn(report, 'd').next).toBeUndefined();
  });

  it('gives exit code 0 when the savepoint restores and 1 when it does not', () => {
    expect(exitCodeOf(checkPair(OLD, NEW, { allowNonRestoredState: true }))).toBe(0);
    expect(exitCodeOf(checkPair(OLD, NEW))).toBe(1);
  });
});
