import { describe, expect, it } from 'vitest';
import { AdaptiveBatchSize } from '../../runtime/operators/adaptive-batch-size.js';

describe('adaptive batch size', () => {
  it('starts at the configured size and shrinks in proportion when a step overruns its budget', () => {
    const size = new AdaptiveBatchSize(1024, 5);
    expect(size.current).toBe(1024);
    // 1024 rows at 0.4 ms each: 410 ms, 82 times the budget.
    size.record(1024, 409.6);
    expect(size.current).toBe(12);
    size.record(12, 4.8);
    expect(size.current).toBe(12);
  });

  it('grows back, doubling, up to the configured size once steps are fast again', () => {
    const size = new AdaptiveBatchSize(1024, 5);
    size.record(1024, 1024);
    expect(size.current).toBe(5);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      size.record(size.current, 1);
      seen.push(size.current);
    }
    expect(seen).toEqual([10, 20, 40, 80, 160, 320, 640, 1024, 1024, 1024]);
  });

  it('does not grow on a short read, nor below one row', () => {
    const size = new AdaptiveBatchSize(100, 5);
    size.record(100, 50);
    expect(size.current).toBe(10);
    size.record(3, 0.1);
    expect(size.current).toBe(10);
    size.record(10, 1000);
    expect(size.current).toBe(1);
    size.record(0, 1000);
    expect(size.current).toBe(1);
  });

  it('may start below its maximum (the first slice of an input batch) and double from there', () => {
    const size = new AdaptiveBatchSize(Number.MAX_SAFE_INTEGER, 5, 64);
    expect(size.current).toBe(64);
    size.record(64, 1);
    expect(size.current).toBe(128);
    size.record(128, 128);
    expect(size.current).toBe(5);
  });
});
