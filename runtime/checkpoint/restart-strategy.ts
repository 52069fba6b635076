import type { RestartStrategy } from '../../compiler/config/job-config.js';

export type RestartDecision = { readonly restart: true; readonly delayMs: number } | { readonly restart: false; readonly reason: string };

/** Decides, failure by failure, whether the job restarts and after how long. Time and randomness are injected. */
export interface RestartBackoff {
  onFailure(now: number): RestartDecision;
}

/** Flink's restart strategies, from `restart-strategy.*` settings (compiler/config). */
export function createRestartBackoff(strategy: RestartStrategy, random: () => number = Math.random): RestartBackoff {
  switch (strategy.type) {
    case 'none':
      return { onFailure: () => ({ restart: false, reason: "'restart-strategy.type' is 'none'" }) };
    case 'fixed-delay': {
      let failures = 0;
      return {
        onFailure: () =>
          ++failures > strategy.attempts
            ? { restart: false, reason: `the fixed-delay restart strategy allows ${strategy.attempts} restart(s), all used` }
            : { restart: true, delayMs: strategy.delayMs },
      };
    }
    case 'exponential-delay': {
      let backoff = strategy.initialBackoffMs;
      let attempts = 0;
      let lastFailureAt = -Infinity;
      return {
        onFailure: (now) => {
          // Running long enough without a failure starts the backoff afresh.
          if (now - lastFailureAt >= strategy.resetBackoffThresholdMs) {
            backoff = strategy.initialBackoffMs;
            attempts = 0;
          }
          lastFailureAt = now;
          if (++attempts > strategy.attempts) {
            return { restart: false, reason: `the exponential-delay restart strategy allows ${strategy.attempts} restart(s) before its backoff resets, all used` };
          }
          const jitter = backoff * strategy.jitterFactor * (2 * random() - 1);
          const delayMs = Math.max(0, Math.round(backoff + jitter));
          backoff = Math.min(strategy.maxBackoffMs, backoff * strategy.backoffMultiplier);
          return { restart: true, delayMs };
        },
      };
    }
    case 'failure-rate': {
      let failures: number[] = [];
      return {
        onFailure: (now) => {
          failures = failures.filter((at) => now - at < strategy.failureRateIntervalMs);
          failures.push(now);
          return failures.length > strategy.maxFailuresPerInterval
            ? {
                restart: false,
                reason: `${failures.length} failures within ${strategy.failureRateIntervalMs} ms exceed the failure-rate restart strategy's ${strategy.maxFailuresPerInterval}`,
              }
            : { restart: true, delayMs: strategy.delayMs };
        },
      };
    }
  }
}

/** The longest wait before a restart under `strategy` (0 when it never restarts): how long a failed job may stay down. */
export function longestRestartDelayMs(strategy: RestartStrategy): number {
  switch (strategy.type) {
    case 'none':
      return 0;
    case 'fixed-delay':
    case 'failure-rate':
      return strategy.delayMs;
    case 'exponential-delay':
      return strategy.maxBackoffMs * (1 + strategy.jitterFactor);
  }
}
