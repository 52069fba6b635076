import type { SetStatement } from '../../grammar/ast/statements.js';
import type { Span } from '../../grammar/ast/span.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import {
  createDiagnostic,
  type DiagnosticArgs,
  type DiagnosticBag,
  type DiagnosticDefinition,
  type RelatedLocation,
} from '../diagnostics/diagnostic.js';
import { closestMatch, didYouMean } from './closest-match.js';
import type { JobConfig, RestartStrategy } from './job-config.js';
import { findSetting, knownSettingKeys, settingDefinitions, Settings, type SettingDefinition } from './setting-definitions.js';

/** The `file` of diagnostics about `--set` / `--parallelism` values; the formatter prints no source line for it. */
export const COMMAND_LINE = '<command line>';

const COMMAND_LINE_NOTE = ' (given on the command line)';
const NO_SPAN: Span = { offset: 0, length: 0 };

/** Where a value came from: a SET statement's key and value, or the command line. */
type Origin = { readonly kind: 'set'; readonly key: Span; readonly value: Span } | { readonly kind: 'command-line' };

interface Assignment {
  readonly value: unknown;
  readonly text: string;
  readonly origin: Origin;
}

/**
 * Validates every `SET` and every command-line override (overrides win) and returns the job configuration with
 * Flink's defaults filled in. Errors go to `bag`; an invalid value leaves the key at its default.
 */
export function resolveJobConfig(
  statements: readonly SetStatement[],
  overrides: Readonly<Record<string, string>>,
  bag: DiagnosticBag,
  defaultName: string,
): JobConfig {
  const resolver = new SettingsResolver(bag);
  for (const statement of statements) {
    resolver.assign(statement.key.value, statement.value.value, {
      kind: 'set',
      key: statement.key.span,
      value: statement.value.span,
    });
  }
  for (const [key, text] of Object.entries(overrides)) resolver.assign(key, text, { kind: 'command-line' });
  return resolver.build(defaultName);
}

class SettingsResolver {
  private readonly assigned = new Map<SettingDefinition, Assignment>();
  /** First SET key span per setting, for the duplicate warning's related location. */
  private readonly firstSet = new Map<SettingDefinition, Span>();

  constructor(private readonly bag: DiagnosticBag) {}

  assign(key: string, text: string, origin: Origin): void {
    const definition = findSetting(key);
    if (definition === undefined) {
      const suggestion = didYouMean(closestMatch(key, knownSettingKeys()));
      this.report(Diagnostics.UnknownSetting, origin, 'key', { key, suggestion });
      return;
    }
    const value = definition.type.parse(text);
    if (value === undefined) {
      this.report(Diagnostics.InvalidSettingValue, origin, 'value', {
        key: definition.key,
        value: text,
        accepted: definition.type.accepted,
      });
      return;
    }
    if (origin.kind === 'set') this.warnIfDuplicate(definition, text, origin.key);
    this.assigned.set(definition, { value, text, origin });
  }

  build(defaultName: string): JobConfig {
    const intervalMs = this.get(Settings.checkpointInterval) ?? null;
    const checkpointsDir = this.get(Settings.checkpointsDir) ?? null;
    const taskSlots = this.get(Settings.taskSlots);
    const config: JobConfig = {
      pipelineName: this.get(Settings.pipelineName) ?? defaultName,
      parallelism: this.required(Settings.parallelism),
      maxParallelism: this.required(Settings.maxParallelism),
      ...(taskSlots === undefined ? {} : { taskSlots }),
      heartbeatTimeoutMs: this.required(Settings.heartbeatTimeout),
      checkpointing: {
        intervalMs,
        mode: this.required(Settings.checkpointMode),
        timeoutMs: this.required(Settings.checkpointTimeout),
        minPauseMs: this.required(Settings.checkpointMinPause),
        maxConcurrent: this.required(Settings.checkpointMaxConcurrent),
        retention: this.required(Settings.checkpointRetention),
        tolerableFailures: this.required(Settings.tolerableFailedCheckpoints),
        unaligned: this.required(Settings.unalignedCheckpoints),
        alignedCheckpointTimeoutMs: this.required(Settings.alignedCheckpointTimeout),
      },
      state: {
        // Flink's heap backend writes checkpoints to files exactly when a checkpoint directory is configured.
        backend: this.get(Settings.stateBackend) ?? (checkpointsDir === null ? 'memory' : 'fs'),
        checkpointsDir,
        savepointsDir: this.get(Settings.savepointsDir) ?? null,
        numRetained: this.required(Settings.checkpointsRetained),
        ttlMs: this.required(Settings.stateTtl),
        diskCacheBytes: this.required(Settings.diskCacheSize),
        diskCacheCells: this.get(Settings.diskCacheCells) ?? null,
      },
      restartStrategy: this.restartStrategy(intervalMs !== null),
      settings: Object.fromEntries([...this.assigned].map(([definition, { text }]) => [definition.key, text])),
    };
    this.checkConsistency(config);
    return config;
  }

  private restartStrategy(checkpointing: boolean): RestartStrategy {
    // Flink ≥ 1.19: exponential-delay by default when checkpointing is enabled, no restarts otherwise.
    const type = this.get(Settings.restartStrategy) ?? (checkpointing ? 'exponential-delay' : 'none');
    switch (type) {
      case 'none':
        return { type };
      case 'fixed-delay':
        return { type, attempts: this.required(Settings.fixedDelayAttempts), delayMs: this.required(Settings.fixedDelayDelay) };
      case 'exponential-delay':
        return {
          type,
          initialBackoffMs: this.required(Settings.exponentialInitialBackoff),
          maxBackoffMs: this.required(Settings.exponentialMaxBackoff),
          backoffMultiplier: this.required(Settings.exponentialBackoffMultiplier),
          resetBackoffThresholdMs: this.required(Settings.exponentialResetBackoffThreshold),
          jitterFactor: this.required(Settings.exponentialJitterFactor),
          attempts: this.required(Settings.exponentialAttempts),
        };
      case 'failure-rate':
        return {
          type,
          maxFailuresPerInterval: this.required(Settings.failureRateMaxFailures),
          failureRateIntervalMs: this.required(Settings.failureRateInterval),
          delayMs: this.required(Settings.failureRateDelay),
        };
    }
  }

  private checkConsistency(config: JobConfig): void {
    if (config.maxParallelism < config.parallelism) {
      this.reportAtFirst([Settings.maxParallelism, Settings.parallelism], Diagnostics.MaxParallelismBelowParallelism, {
        maxParallelism: config.maxParallelism,
        parallelism: config.parallelism,
      });
    }
    const restart = config.restartStrategy;
    if (restart.type === 'exponential-delay' && restart.maxBackoffMs < restart.initialBackoffMs) {
      this.reportAtFirst(
        [Settings.exponentialMaxBackoff, Settings.exponentialInitialBackoff],
        Diagnostics.MaxBackoffBelowInitialBackoff,
        {
          maxBackoff: Settings.exponentialMaxBackoff.type.display(restart.maxBackoffMs),
          initialBackoff: Settings.exponentialInitialBackoff.type.display(restart.initialBackoffMs),
        },
      );
    }
    if (config.checkpointing.intervalMs !== null && config.state.checkpointsDir === null && config.state.backend !== 'memory') {
      this.reportAtFirst([Settings.stateBackend], Diagnostics.CheckpointDirMissing, { backend: config.state.backend });
    }
    if (config.checkpointing.intervalMs === null) {
      for (const definition of CHECKPOINTING_ONLY) this.warnIfAssigned(definition, Diagnostics.CheckpointSettingWithoutCheckpointing, {});
    }
    if (config.checkpointing.unaligned && config.checkpointing.mode === 'AT_LEAST_ONCE') {
      this.reportAtFirst([Settings.unalignedCheckpoints, Settings.checkpointMode], Diagnostics.UnalignedWithAtLeastOnce, {});
    }
    if (!config.checkpointing.unaligned) this.warnIfAssigned(Settings.alignedCheckpointTimeout, Diagnostics.AlignedTimeoutWithoutUnaligned, {});
    for (const [definition, wanted] of RESTART_OPTIONS) {
      if (wanted !== restart.type) {
        this.warnIfAssigned(definition, Diagnostics.RestartOptionForOtherStrategy, { strategy: restart.type, wanted });
      }
    }
  }

  private warnIfDuplicate(definition: SettingDefinition, text: string, keySpan: Span): void {
    const first = this.firstSet.get(definition);
    if (first === undefined) {
      this.firstSet.set(definition, keySpan);
      return;
    }
    const related: RelatedLocation[] = [{ message: `'${definition.key}' is first set here`, file: this.bag.file, span: first }];
    this.bag.report(Diagnostics.DuplicateSetting, keySpan, { key: definition.key, value: text }, related);
  }

  private warnIfAssigned(definition: SettingDefinition, diagnostic: DiagnosticDefinition, args: DiagnosticArgs): void {
    const assignment = this.assigned.get(definition);
    if (assignment !== undefined) this.report(diagnostic, assignment.origin, 'key', { key: definition.key, ...args });
  }

  /** Reports at the first of `definitions` that was set explicitly (a default cannot be blamed). */
  private reportAtFirst(definitions: readonly SettingDefinition[], diagnostic: DiagnosticDefinition, args: DiagnosticArgs): void {
    const blamed = definitions.map((d) => this.assigned.get(d)).find((a) => a !== undefined);
    if (blamed !== undefined) this.report(diagnostic, blamed.origin, 'value', args);
  }

  private report(diagnostic: DiagnosticDefinition, origin: Origin, part: 'key' | 'value', args: DiagnosticArgs): void {
    if (origin.kind === 'set') {
      this.bag.report(diagnostic, origin[part], args);
      return;
    }
    const fromCommandLine = { ...diagnostic, message: diagnostic.message + COMMAND_LINE_NOTE };
    this.bag.items.push(createDiagnostic(fromCommandLine, COMMAND_LINE, NO_SPAN, args));
  }

  private get<T>(definition: SettingDefinition<T>): T | undefined {
    return this.assigned.has(definition) ? (this.assigned.get(definition)!.value as T) : definition.default;
  }

  private required<T>(definition: SettingDefinition<T>): T {
    const value = this.get(definition);
    if (value === undefined) throw new Error(`setting '${definition.key}' has no default`);
    return value;
  }
}

/** Settings that only matter when checkpoints are taken. */
const CHECKPOINTING_ONLY: readonly SettingDefinition[] = [
  Settings.checkpointMode,
  Settings.checkpointTimeout,
  Settings.checkpointMinPause,
  Settings.checkpointMaxConcurrent,
  Settings.tolerableFailedCheckpoints,
  Settings.unalignedCheckpoints,
];

/** Each restart-strategy option and the strategy it configures, read from its key: `restart-strategy.<type>.<option>`. */
const RESTART_OPTIONS: ReadonlyMap<SettingDefinition, string> = new Map(
  settingDefinitions.flatMap((d) => {
    const match = /^restart-strategy\.([a-z-]+)\./.exec(d.key);
    return match === null ? [] : [[d, match[1]!] as const];
  }),
);
