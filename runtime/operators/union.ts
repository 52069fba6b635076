import type { RecordBatch } from '../record-batch.js';
import { BaseOperator } from './operator.js';

/** UNION ALL: every input's batches go out unchanged; the task already takes the minimum of the inputs' watermarks. */
export class UnionOperator extends BaseOperator {
  processBatch(batch: RecordBatch): void {
    this.ctx.output(batch);
  }
}
