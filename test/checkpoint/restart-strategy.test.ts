import { describe, expect, it } from 'vitest';
import { createRestartBackoff } from '../../runtime/checkpoint/restart-strategy.js';

describe('restart strategies', () => {
  it('none: never restarts', () => {
    expect(createRestartBackoff({ type: 'none' }).onFailure(0)).toEqual({ restart: false, reason: "'restart-strategy.type' is 'none'" });
  });

  it('fixed-delay: restarts `attempts` times after the delay, then gives up', () => {
    const backoff = createRestartBackoff({ type: 'fixed-delay', attempts: 2, delayMs: 500 });
    expect([0, 1, 2].map((t) => backoff.onFailure(t))).toEqual([
      { restart: true, delayMs: 500 },
      { restart: true, delayMs: 500 },
      { restart: false, reason: 'the fixed-delay restart strategy allows 2 restart(s), all used' },
    ]);
  });

  it('exponential-delay: multiplies the wait up to its maximum, with jitter, and starts afresh after a quiet period', () => {
    const strategy = { type: 'exponential-delay', initialBackoffMs: 100, maxBackoffMs: 350, backoffMultiplier: 2, resetBackoffThresholdMs: 10_000, jitterFactor: 0.1, attempts: 10 } as const;
    const noJitter = createRestartBackoff(strategy, () => 0.5);
    expect([0, 1, 2, 3].map((t) => noJitter.onFailure(t))).toEqual([100, 200, 350, 350].map((delayMs) => ({ restart: true, delayMs })));
    expect(noJitter.onFailure(20_000)).toEqual({ restart: true, delayMs: 100 });
    expect(createRestartBackoff(strategy, () => 1).onFailure(0)).toEqual({ restart: true, delayMs: 110 });
    expect(createRestartBackoff(strategy, () => 0).onFailure(0)).toEqual({ restart: true, delayMs: 90 });
  });

  it('exponential-delay: gives up after its attempts before a reset', () => {
    const backoff = createRestartBackoff(
      { type: 'exponential-delay', initialBackoffMs: 1, maxBackoffMs: 1, backoffMultiplier: 1, resetBackoffThresholdMs: 1000, jitterFactor: 0, attempts: 1 },
      () => 0.5,
    );
    expect(backoff.onFailure(0).restart).toBe(true);
    expect(backoff.onFailure(1)).toEqual({ restart: false, reason: expect.stringContaining('allows 1 restart(s) before its backoff resets') });
  });

  it('failure-rate: restarts while failures within the interval stay at the maximum', () => {
    const backoff = createRestartBackoff({ type: 'failure-rate', maxFailuresPerInterval: 2, failureRateIntervalMs: 1000, delayMs: 50 });
    expect(backoff.onFailure(0)).toEqual({ restart: true, delayMs: 50 });
    expect(backoff.onFailure(600)).toEqual({ restart: true, delayMs: 50 });
    expect(backoff.onFailure(1200)).toEqual({ restart: true, delayMs: 50 });
    expect(backoff.onFailure(1300)).toEqual({ restart: false, reason: "3 failures within 1000 ms exceed the failure-rate restart strategy's 2" });
  });
});
