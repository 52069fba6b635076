import type { OperatorSpec } from '../../compiler/graph/job-graph.js';
import { compilePredicate, type UdfImplementations } from '../expressions/compile-expr.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { BaseOperator } from './operator.js';
import { RowFailure } from './row-failure.js';

/** WHERE: keeps the rows whose condition is true (not false, not NULL); change kinds travel with their rows. */
export class FilterOperator extends BaseOperator {
  private readonly predicate: (row: readonly unknown[]) => boolean;

  constructor(spec: Extract<OperatorSpec, { kind: 'filter' }>, udfs: UdfImplementations) {
    super();
    this.predicate = compilePredicate(spec.condition, udfs);
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    const predicate = this.predicate;
    const kept: (readonly unknown[])[] = [];
    const keptKinds = kinds === undefined ? undefined : new Uint8Array(rows.length);
    let i = 0;
    try {
      for (; i < rows.length; i++) {
        const row = rows[i]!;
        if (!predicate(row)) continue;
        if (keptKinds !== undefined) keptKinds[kept.length] = kinds![i]!;
        kept.push(row);
      }
    } catch (error) {
      throw new RowFailure(rows[i]!, error);
    }
    if (kept.length === rows.length) this.ctx.output(batch);
    else if (kept.length > 0) this.ctx.output(makeBatch(kept, keptKinds?.subarray(0, kept.length)));
  }
}
