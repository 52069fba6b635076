import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import { bidsJob, graphOf, operatorIn, snapshotOf } from './pipe-pairs.js';

const OLD = graphOf(bidsJob(''), 'old.pipe');
const NEW = graphOf(bidsJob(`|> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'ghost'`), 'job.pipe');

describe('undeclared saved operator rule', () => {
  const snapshot = { ...snapshotOf(OLD), operators: { ...snapshotOf(OLD).operators, ghost: { states: { accumulators: { bytes: 10 } } } } };

  it('refuses state the savepoint holds under a uid its own job graph lacks', () => {
    const report = checkCompatibility(OLD, NEW, snapshot, { allowNonRestoredState: false });
    expect(report.restorable).toBe(false);
    expect(operatorIn(report, 'ghost')).toMatchObject({ status: 'restored', findings: [{ code: 'SLC6003' }] });
  });

  it('treats it as dropped state when the new job lacks the uid too', () => {
    const report = checkCompatibility(OLD, OLD, snapshot, { allowNonRestoredState: false });
    expect(operatorIn(report, 'ghost')).toMatchObject({ status: 'dropped', states: [{ name: 'accumulators', verdict: 'dropped', description: 'accumulators' }] });
  });
});
