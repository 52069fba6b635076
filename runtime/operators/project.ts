import type { OperatorSpec } from '../../compiler/graph/job-graph.js';
import { compileProjection, type UdfImplementations } from '../expressions/compile-expr.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { BaseOperator } from './operator.js';
import { RowFailure } from './row-failure.js';

/** SELECT / EXTEND: computes each output row from its input row with one compiled function. */
export class ProjectOperator extends BaseOperator {
  private readonly projection: (row: readonly unknown[]) => unknown[];

  constructor(spec: Extract<OperatorSpec, { kind: 'project' }>, udfs: UdfImplementations) {
    super();
    this.projection = compileProjection(spec.exprs, udfs);
  }

  processBatch(batch: RecordBatch): void {
    const { rows } = batch;
    const projection = this.projection;
    const out = new Array<unknown[]>(rows.length);
    let i = 0;
    try {
      for (; i < rows.length; i++) out[i] = projection(rows[i]!);
    } catch (error) {
      throw new RowFailure(rows[i]!, error);
    }
    if (out.length > 0) this.ctx.output(makeBatch(out, batch.kinds));
  }
}
