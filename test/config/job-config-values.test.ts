import { describe, expect, it } from 'vitest';
import { resolveJobConfig } from '../../compiler/config/settings.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { setStatements } from './set-statements.js';

function resolve(text: string) {
  const bag = new DiagnosticBag('job.pipe');
  const config = resolveJobConfig(setStatements(text), {}, bag, 'job');
  expect(bag.items).toEqual([]);
  return config;
}

describe('resolveJobConfig values', () => {
  it('reads every pipeline, checkpointing and state key', () => {
    const config = resolve(`
      SET 'pipeline.name' = 'orders';
      SET 'parallelism.default' = '4';
      SET 'pipeline.max-parallelism' = '256';
      SET 'execution.checkpointing.interval' = '30s';
      SET 'execution.checkpointing.mode' = 'at_least_once';
      SET 'execution.checkpointing.timeout' = '2 min';
      SET 'execution.checkpointing.min-pause' = '500 ms';
      SET 'execution.checkpointing.max-concurrent-checkpoints' = '2';
      SET 'execution.checkpointing.externalized-checkpoint-retention' = 'DELETE_ON_CANCELLATION';
      SET 'execution.checkpointing.tolerable-failed-checkpoints' = '3';
      SET 'state.checkpoints.num-retained' = '5';
      SET 'state.checkpoints.dir' = 'file:///var/sluice/chk';
      SET 'state.savepoints.dir' = '/var/sluice/sp';
      SET 'state.backend.type' = 'disk';
      SET 'state.backend.disk.cache-cells' = '5000';
      SET 'restart-strategy.type' = 'none';`);
    expect(config).toMatchObject({
      pipelineName: 'orders',
      parallelism: 4,
      maxParallelism: 256,
      checkpointing: {
        intervalMs: 30_000,
        mode: 'AT_LEAST_ONCE',
        timeoutMs: 120_000,
        minPauseMs: 500,
        maxConcurrent: 2,
        retention: 'DELETE_ON_CANCELLATION',
        tolerableFailures: 3,
      },
      state: { backend: 'disk', checkpointsDir: '/var/sluice/chk', savepointsDir: '/var/sluice/sp', numRetained: 5, ttlMs: 0, diskCacheBytes: 64 * 1024 ** 2, diskCacheCells: 5000 },
      restartStrategy: { type: 'none' },
    });
    expect(config.settings['execution.checkpointing.mode']).toBe('at_least_once');
  });

  it("reads the disk backend's cache size as bytes, and leaves the cell bound unset unless given", () => {
    expect(resolve("SET 'state.backend.disk.cache-size' = '32 mb';").state).toMatchObject({ diskCacheBytes: 32 * 1024 ** 2, diskCacheCells: null });
    expect(resolve("SET 'state.backend.disk.cache-size' = '1g'; SET 'state.backend.disk.cache-cells' = '7';").state).toMatchObject({
      diskCacheBytes: 1024 ** 3,
      diskCacheCells: 7,
    });
  });

  it("accepts Flink's backend and restart-strategy aliases", () => {
    expect(resolve("SET 'state.backend.type' = 'hashmap';").state.backend).toBe('fs');
    expect(resolve("SET 'state.backend.type' = 'RocksDB';").state.backend).toBe('disk');
    expect(resolve("SET 'restart-strategy.type' = 'off';").restartStrategy).toEqual({ type: 'none' });
    expect(resolve("SET 'restart-strategy.type' = 'fixeddelay';").restartStrategy.type).toBe('fixed-delay');
  });

  it("accepts Flink 2's names of the checkpoint storage keys and records them under the canonical key", () => {
    const config = resolve("SET 'execution.checkpointing.dir' = '/chk'; SET 'execution.checkpointing.num-retained' = '3';");
    expect(config.state).toMatchObject({ checkpointsDir: '/chk', numRetained: 3 });
    expect(config.settings).toEqual({ 'state.checkpoints.dir': '/chk', 'state.checkpoints.num-retained': '3' });
  });

  it('reads the fixed-delay options', () => {
    const config = resolve(`SET 'restart-strategy.type' = 'fixed-delay';
      SET 'restart-strategy.fixed-delay.attempts' = '5'; SET 'restart-strategy.fixed-delay.delay' = '10 s';`);
    expect(config.restartStrategy).toEqual({ type: 'fixed-delay', attempts: 5, delayMs: 10_000 });
  });

  it('fills the fixed-delay defaults', () => {
    expect(resolve("SET 'restart-strategy.type' = 'fixed-delay';").restartStrategy).toEqual({ type: 'fixed-delay', attempts: 1, delayMs: 1_000 });
  });

  it('reads the exponential-delay options', () => {
    const config = resolve(`SET 'restart-strategy.type' = 'exponential-delay';
      SET 'restart-strategy.exponential-delay.initial-backoff' = '2 s';
      SET 'restart-strategy.exponential-delay.max-backoff' = '5 min';
      SET 'restart-strategy.exponential-delay.backoff-multiplier' = '2.0';
      SET 'restart-strategy.exponential-delay.reset-backoff-threshold' = '2 h';
      SET 'restart-strategy.exponential-delay.jitter-factor' = '0';
      SET 'restart-strategy.exponential-delay.attempts-before-reset-backoff' = '10';`);
    expect(config.restartStrategy).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 2_000,
      maxBackoffMs: 300_000,
      backoffMultiplier: 2,
      resetBackoffThresholdMs: 7_200_000,
      jitterFactor: 0,
      attempts: 10,
    });
  });

  it('reads the failure-rate options and fills their defaults', () => {
    expect(resolve("SET 'restart-strategy.type' = 'failure-rate';").restartStrategy).toEqual({
      type: 'failure-rate',
      maxFailuresPerInterval: 1,
      failureRateIntervalMs: 60_000,
      delayMs: 1_000,
    });
    const config = resolve(`SET 'restart-strategy.type' = 'failure-rate';
      SET 'restart-strategy.failure-rate.max-failures-per-interval' = '3';
      SET 'restart-strategy.failure-rate.failure-rate-interval' = '5 min';
      SET 'restart-strategy.failure-rate.delay' = '10 s';`);
    expect(config.restartStrategy).toEqual({ type: 'failure-rate', maxFailuresPerInterval: 3, failureRateIntervalMs: 300_000, delayMs: 10_000 });
  });
});
