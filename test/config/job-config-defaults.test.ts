import { describe, expect, it } from 'vitest';
import { resolveJobConfig } from '../../compiler/config/settings.js';
import { JobConfigSchema } from '../../compiler/config/job-config.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { setStatements } from './set-statements.js';

function resolve(text: string, overrides: Record<string, string> = {}) {
  const bag = new DiagnosticBag('job.pipe');
  const config = resolveJobConfig(setStatements(text), overrides, bag, 'job');
  return { config, diagnostics: bag.items };
}

describe('resolveJobConfig defaults', () => {
  it("uses Flink's defaults, with checkpointing and restarts off, when nothing is set", () => {
    const { config, diagnostics } = resolve('');
    expect(diagnostics).toEqual([]);
    expect(JobConfigSchema.parse(config)).toEqual(config);
    expect(config).toEqual({
      pipelineName: 'job',
      parallelism: 1,
      maxParallelism: 128,
      heartbeatTimeoutMs: 50_000,
      checkpointing: {
        intervalMs: null,
        mode: 'EXACTLY_ONCE',
        timeoutMs: 600_000,
        minPauseMs: 0,
        maxConcurrent: 1,
        retention: 'RETAIN_ON_CANCELLATION',
        tolerableFailures: 0,
        unaligned: false,
        alignedCheckpointTimeoutMs: 0,
      },
      state: { backend: 'memory', checkpointsDir: null, savepointsDir: null, numRetained: 1, ttlMs: 0, diskCacheBytes: 64 * 1024 ** 2, diskCacheCells: null },
      restartStrategy: { type: 'none' },
      settings: {},
    });
  });

  it('restarts with exponential delay by default once checkpointing is enabled, as Flink does', () => {
    const { config } = resolve("SET 'execution.checkpointing.interval' = '10 s';");
    expect(config.checkpointing.intervalMs).toBe(10_000);
    expect(config.restartStrategy).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 1.5,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
      attempts: 2_147_483_647,
    });
  });

  it('writes checkpoints to files by default when a checkpoint directory is set', () => {
    expect(resolve("SET 'state.checkpoints.dir' = '/tmp/chk';").config.state).toMatchObject({ backend: 'fs', checkpointsDir: '/tmp/chk' });
  });
});
