import type { OperatorSpec, WindowSpec } from '../../compiler/graph/job-graph.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { BaseOperator } from './operator.js';

/** The start of the epoch-aligned window of `size` that contains `timestamp` (negative timestamps too). */
export function windowStart(timestamp: number, size: number): number {
  return timestamp - (((timestamp % size) + size) % size);
}

/**
 * TUMBLE / HOP without a following aggregate or join: appends window_start and window_end to each row. Windows
 * are aligned to the epoch as Flink's are; HOP copies a row into each of the size/slide windows containing it,
 * in ascending window order. Rows whose time is NULL belong to no window and are dropped.
 */
export class WindowAssignOperator extends BaseOperator {
  private readonly window: Extract<WindowSpec, { type: 'tumble' | 'hop' }>;

  constructor(spec: Extract<OperatorSpec, { kind: 'window_assign' }>) {
    super();
    if (spec.window.type === 'session') {
      throw new Error('SESSION windows are only assigned by a window aggregate: window_assign supports TUMBLE and HOP');
    }
    this.window = spec.window;
  }

  processBatch(batch: RecordBatch): void {
    const { rows, kinds } = batch;
    const window = this.window;
    const timeIndex = window.timeIndex;
    const out: unknown[][] = [];
    const outKinds: number[] | undefined = kinds === undefined ? undefined : [];
    const size = window.sizeMs;
    const slide = window.type === 'tumble' ? size : window.slideMs;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const time = row[timeIndex];
      if (typeof time !== 'number') continue;
      const last = windowStart(time, slide);
      let start = last;
      while (start - slide > time - size) start -= slide;
      for (; start <= last; start += slide) {
        const copy = row.slice();
        copy.push(start, start + size);
        out.push(copy);
        outKinds?.push(kinds![i]!);
      }
    }
    if (out.length > 0) this.ctx.output(makeBatch(out, outKinds === undefined ? undefined : Uint8Array.from(outKinds)));
  }
}
