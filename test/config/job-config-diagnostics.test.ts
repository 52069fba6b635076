import { describe, expect, it } from 'vitest';
import { COMMAND_LINE, resolveJobConfig } from '../../compiler/config/settings.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { blamed } from '../diagnostics/blamed.js';
import { setStatements } from './set-statements.js';

function resolve(text: string, overrides: Record<string, string> = {}) {
  const bag = new DiagnosticBag('job.pipe');
  const config = resolveJobConfig(setStatements(text), overrides, bag, 'job');
  return { config, diagnostics: bag.items, blamed: blamed(bag.items, text) };
}

describe('SET diagnostics', () => {
  it('reports an unknown key at the key, suggesting the closest one and the README list', () => {
    expect(resolve("SET 'execution.checkpointing.intervall' = '10 s';").blamed).toEqual([
      {
        code: 'SLC4001',
        at: "'execution.checkpointing.intervall'",
        message: "unknown configuration key 'execution.checkpointing.intervall'",
        help: "did you mean 'execution.checkpointing.interval'? the accepted keys are listed in the README, section 'Configuration'",
      },
    ]);
  });

  it('omits the suggestion when no key is close', () => {
    expect(resolve("SET 'colour' = 'blue';").blamed[0]?.help).toBe("the accepted keys are listed in the README, section 'Configuration'");
  });

  it('reports a bad value at the value, naming the key and what it accepts, and keeps the default', () => {
    const result = resolve("SET 'execution.checkpointing.mode' = 'TWICE';");
    expect(result.blamed).toEqual([
      {
        code: 'SLC4002',
        at: "'TWICE'",
        message: "invalid value 'TWICE' for 'execution.checkpointing.mode'",
        help: "'execution.checkpointing.mode' accepts one of 'EXACTLY_ONCE', 'AT_LEAST_ONCE'",
      },
    ]);
    expect(result.config.checkpointing.mode).toBe('EXACTLY_ONCE');
    expect(result.config.settings).toEqual({});
  });

  it.each([
    ['parallelism.default', '0'],
    ['parallelism.default', 'two'],
    ['pipeline.max-parallelism', '40000'],
    ['execution.checkpointing.interval', '5 ms'],
    ['execution.checkpointing.interval', 'often'],
    ['execution.checkpointing.max-concurrent-checkpoints', '0'],
    ['restart-strategy.exponential-delay.jitter-factor', '1.5'],
    ['restart-strategy.exponential-delay.backoff-multiplier', '0.5'],
    ['state.backend.type', 'cloud'],
    ['pipeline.name', ''],
  ])("rejects '%s' = '%s'", (key, value) => {
    expect(resolve(`SET '${key}' = '${value}';`).diagnostics.map((d) => d.code)).toEqual(['SLC4002']);
  });

  it('warns about a key set twice, at the second SET, pointing to the first; the last value wins', () => {
    const text = "SET 'parallelism.default' = '2';\nSET 'parallelism.default' = '3';";
    const result = resolve(text);
    expect(result.config.parallelism).toBe(3);
    expect(result.diagnostics).toHaveLength(1);
    const [warning] = result.diagnostics;
    expect(warning).toMatchObject({ code: 'SLC4003', severity: 'warning', message: "'parallelism.default' is set more than once; the last value, '3', wins" });
    expect(warning!.span.offset).toBe(text.lastIndexOf("'parallelism.default'"));
    expect(warning!.related).toEqual([{ message: "'parallelism.default' is first set here", file: 'job.pipe', span: { offset: 4, length: 21 } }]);
  });

  it('does not call an invalid second value the winner', () => {
    const result = resolve("SET 'parallelism.default' = '2'; SET 'parallelism.default' = 'three';");
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SLC4002']);
    expect(result.config.parallelism).toBe(2);
  });

  it('treats an alias and its key as the same setting', () => {
    expect(resolve("SET 'state.checkpoints.dir' = '/a'; SET 'execution.checkpointing.dir' = '/b';").diagnostics.map((d) => d.code)).toEqual(['SLC4003']);
  });

  it('refuses a max parallelism below the parallelism, at the value that was set', () => {
    expect(resolve("SET 'parallelism.default' = '200';").blamed).toEqual([
      {
        code: 'SLC4004',
        at: "'200'",
        message: "'pipeline.max-parallelism' (128) is lower than the parallelism (200)",
        help: expect.stringContaining("raise 'pipeline.max-parallelism'"),
      },
    ]);
  });

  it('refuses a max backoff below the initial backoff', () => {
    const text = `SET 'restart-strategy.type' = 'exponential-delay';
      SET 'restart-strategy.exponential-delay.initial-backoff' = '2 min';`;
    expect(resolve(text).blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC4005', "'2 min'", "'restart-strategy.exponential-delay.max-backoff' (1 min) is shorter than the initial backoff (2 min)"],
    ]);
  });

  it('asks for a checkpoint directory when a file-writing backend takes checkpoints', () => {
    const text = "SET 'execution.checkpointing.interval' = '1 s'; SET 'state.backend.type' = 'fs';";
    expect(resolve(text).blamed.map((b) => [b.code, b.at])).toEqual([['SLC4006', "'fs'"]]);
    expect(resolve(`${text} SET 'state.checkpoints.dir' = '/chk';`).diagnostics).toEqual([]);
  });

  it('warns about checkpoint options while checkpointing is disabled', () => {
    expect(resolve("SET 'execution.checkpointing.timeout' = '1 min';").blamed.map((b) => [b.code, b.at])).toEqual([
      ['SLC4007', "'execution.checkpointing.timeout'"],
    ]);
  });

  it('refuses unaligned checkpoints in AT_LEAST_ONCE mode, at the unaligned setting (SLC1060)', () => {
    const text = "SET 'execution.checkpointing.interval' = '1 s'; SET 'execution.checkpointing.mode' = 'AT_LEAST_ONCE'; SET 'execution.checkpointing.unaligned.enabled' = 'true';";
    expect(resolve(text).blamed).toEqual([
      {
        code: 'SLC1060',
        at: "'true'",
        message: "unaligned checkpoints need 'execution.checkpointing.mode' = 'EXACTLY_ONCE'",
        help: "AT_LEAST_ONCE never blocks a channel, so there is nothing for a barrier to overtake (Flink refuses the combination too): remove 'execution.checkpointing.unaligned.enabled' or the AT_LEAST_ONCE mode",
      },
    ]);
    expect(resolve(text.replace('AT_LEAST_ONCE', 'EXACTLY_ONCE')).diagnostics).toEqual([]);
  });

  it('reads the unaligned settings, with Flink 1.x spellings, and warns about a timeout without them (SLC1061)', () => {
    const { config, diagnostics } = resolve(
      "SET 'execution.checkpointing.interval' = '1 s'; SET 'execution.checkpointing.unaligned' = 'true'; SET 'execution.checkpointing.alignment-timeout' = '30 s';",
    );
    expect(diagnostics).toEqual([]);
    expect(config.checkpointing).toMatchObject({ unaligned: true, alignedCheckpointTimeoutMs: 30_000 });
    expect(resolve("SET 'execution.checkpointing.interval' = '1 s'; SET 'execution.checkpointing.aligned-checkpoint-timeout' = '5 s';").blamed.map((b) => [b.code, b.at])).toEqual([
      ['SLC1061', "'execution.checkpointing.aligned-checkpoint-timeout'"],
    ]);
  });

  it('warns about options of another restart strategy than the one in use', () => {
    const text = "SET 'restart-strategy.type' = 'fixed-delay'; SET 'restart-strategy.failure-rate.delay' = '1 s';";
    expect(resolve(text).blamed).toEqual([
      {
        code: 'SLC4008',
        at: "'restart-strategy.failure-rate.delay'",
        message: "'restart-strategy.failure-rate.delay' has no effect because the restart strategy is 'fixed-delay'",
        help: "set 'restart-strategy.type' = 'failure-rate' to use it, or remove this setting",
      },
    ]);
  });
});

describe('command-line overrides', () => {
  it('win over SET without a duplicate warning', () => {
    const result = resolve("SET 'parallelism.default' = '2';", { 'parallelism.default': '8' });
    expect(result.config.parallelism).toBe(8);
    expect(result.config.settings['parallelism.default']).toBe('8');
    expect(result.diagnostics).toEqual([]);
  });

  it('report their errors as coming from the command line', () => {
    const { diagnostics } = resolve("SET 'parallelism.default' = '2';", { 'parallelism.default': 'many', 'pipline.name': 'x' });
    expect(diagnostics.map((d) => [d.code, d.file, d.span, d.message])).toEqual([
      ['SLC4002', COMMAND_LINE, { offset: 0, length: 0 }, "invalid value 'many' for 'parallelism.default' (given on the command line)"],
      ['SLC4001', COMMAND_LINE, { offset: 0, length: 0 }, "unknown configuration key 'pipline.name' (given on the command line)"],
    ]);
  });

  it('are blamed for a conflict they cause', () => {
    const { diagnostics } = resolve('', { 'parallelism.default': '300' });
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([['SLC4004', COMMAND_LINE]]);
  });
});
