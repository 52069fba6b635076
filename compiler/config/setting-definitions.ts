import {
  booleanType,
  durationType,
  enumType,
  integerType,
  memorySizeType,
  nonEmptyStringType,
  numberType,
  pathType,
  type ValueType,
} from './value-types.js';

/**
 * Every key `SET` and `--set` accept: Flink's own option keys, with Flink's defaults. This table is the single
 * source of truth for validation and for the README's configuration table.
 */
export interface SettingDefinition<T = unknown> {
  readonly key: string;
  /** Other spellings Flink uses for the same option (its 1.x and 2.x names); they resolve to `key`. */
  readonly aliases: readonly string[];
  readonly type: ValueType<T>;
  /** Undefined where the default is "unset" or derived from other settings; `defaultText` says which. */
  readonly default: T | undefined;
  readonly defaultText: string;
  readonly description: string;
}

const INT_MAX = 2_147_483_647;
/** `state.backend.disk.cache-size` by default: 64 MiB per operator subtask. */
export const DEFAULT_DISK_CACHE_BYTES = 64 * 1024 ** 2;
/** Flink refuses checkpoint intervals and timeouts under 10 ms. */
const MIN_CHECKPOINT_MS = 10;

function setting<T>(
  key: string,
  type: ValueType<T>,
  defaultValue: T | undefined,
  description: string,
  extra: { readonly aliases?: readonly string[]; readonly defaultText?: string } = {},
): SettingDefinition<T> {
  return {
    key,
    aliases: extra.aliases ?? [],
    type,
    default: defaultValue,
    defaultText: extra.defaultText ?? (defaultValue === undefined ? 'unset' : type.display(defaultValue)),
    description,
  };
}

export const Settings = {
  pipelineName: setting('pipeline.name', nonEmptyStringType, undefined, 'The job name; `--resume` finds earlier checkpoints by it.', {
    defaultText: 'the file name without `.pipe`',
  }),
  parallelism: setting('parallelism.default', integerType(1, 32768), 1, 'Subtasks per operator (`--parallelism N` on the command line).'),
  taskSlots: setting(
    'taskmanager.numberOfTaskSlots',
    integerType(1, 32768),
    undefined,
    'Most worker threads ("slots") a job with parallelism above 1 runs its subtasks in; slot i runs subtask i (modulo the slots) of every step. See docs/parallelism.md.',
    { defaultText: 'the CPUs the process may use (`os.availableParallelism()`)' },
  ),
  heartbeatTimeout: setting(
    'heartbeat.timeout',
    durationType(MIN_CHECKPOINT_MS),
    50_000,
    "How long a worker thread (a slot, docs/parallelism.md) may go without a sign of life before it counts as hung (a function that never returns): its tasks fail (SLC9263) and the restart strategy restarts the job. Flink's TaskManager heartbeat timeout.",
  ),
  maxParallelism: setting(
    'pipeline.max-parallelism',
    integerType(1, 32768),
    128,
    'Number of key groups: the upper bound of parallelism. Fixed for the life of the state; a savepoint cannot be restored with another value.',
  ),
  checkpointInterval: setting(
    'execution.checkpointing.interval',
    durationType(MIN_CHECKPOINT_MS),
    undefined,
    'Time between the starts of two checkpoints; setting it enables checkpointing.',
    { defaultText: 'unset: checkpointing disabled' },
  ),
  checkpointMode: setting(
    'execution.checkpointing.mode',
    enumType(['EXACTLY_ONCE', 'AT_LEAST_ONCE'], { 'exactly-once': 'EXACTLY_ONCE', 'at-least-once': 'AT_LEAST_ONCE' }),
    'EXACTLY_ONCE',
    'EXACTLY_ONCE aligns barriers; AT_LEAST_ONCE does not block inputs and may replay records after a restore.',
  ),
  unalignedCheckpoints: setting(
    'execution.checkpointing.unaligned.enabled',
    booleanType,
    false,
    'Unaligned checkpoints (EXACTLY_ONCE only): a barrier overtakes the records queued in channels, which are written with the checkpoint and replayed on restore, so back-pressure does not delay checkpoints. Savepoints are always aligned; see docs/checkpoints.md.',
    { aliases: ['execution.checkpointing.unaligned'] },
  ),
  alignedCheckpointTimeout: setting(
    'execution.checkpointing.aligned-checkpoint-timeout',
    durationType(),
    0,
    'With unaligned checkpoints enabled: a checkpoint starts aligned and a task switches it to unaligned once the checkpoint is older than this when its barrier arrives or while it aligns (0: unaligned from the start).',
    { aliases: ['execution.checkpointing.alignment-timeout'] },
  ),
  checkpointTimeout: setting(
    'execution.checkpointing.timeout',
    durationType(MIN_CHECKPOINT_MS),
    600_000,
    'A checkpoint not completed within this time is aborted.',
  ),
  checkpointMinPause: setting(
    'execution.checkpointing.min-pause',
    durationType(),
    0,
    'Least time between the end of one checkpoint and the start of the next.',
  ),
  checkpointMaxConcurrent: setting(
    'execution.checkpointing.max-concurrent-checkpoints',
    integerType(1),
    1,
    'Checkpoints that may be in progress at once.',
  ),
  checkpointRetention: setting(
    'execution.checkpointing.externalized-checkpoint-retention',
    enumType(['RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION']),
    'RETAIN_ON_CANCELLATION',
    'Whether completed checkpoints are kept when the job is cancelled. Sluice retains them by default (Flink does not) so that `sluice run --resume` can continue a stopped job.',
  ),
  tolerableFailedCheckpoints: setting(
    'execution.checkpointing.tolerable-failed-checkpoints',
    integerType(0),
    0,
    'Consecutive checkpoint failures tolerated before the job fails.',
  ),
  checkpointsRetained: setting(
    'state.checkpoints.num-retained',
    integerType(1),
    1,
    "Completed checkpoints kept; older ones are deleted. How far back `sluice run --resume --before '<time>'` can go: at a 10 min interval, 25 keep 4 hours (`sluice checkpoints` lists them).",
    { aliases: ['execution.checkpointing.num-retained'] },
  ),
  checkpointsDir: setting('state.checkpoints.dir', pathType, undefined, 'Directory of checkpoints (`<dir>/<pipeline.name>/chk-<n>/`; `--resume` looks there).', {
    aliases: ['execution.checkpointing.dir'],
  }),
  savepointsDir: setting('state.savepoints.dir', pathType, undefined, 'Default target directory of savepoints; `sluice checkpoints` and `--resume --before` find the savepoints in it.', {
    aliases: ['execution.checkpointing.savepoint-dir'],
  }),
  stateBackend: setting(
    'state.backend.type',
    enumType(['memory', 'fs', 'disk'], { hashmap: 'fs', rocksdb: 'disk' }),
    undefined,
    "Where state lives: `memory` (heap; checkpoints kept in memory), `fs` (heap; checkpoints written to files), `disk` (an on-disk key/value store, for state larger than memory; incremental checkpoints). Flink's 'hashmap' and 'rocksdb' are accepted.",
    { aliases: ['state.backend'], defaultText: "`fs` when `state.checkpoints.dir` is set, else `memory`" },
  ),
  stateTtl: setting(
    'table.exec.state.ttl',
    durationType(),
    0,
    "How long a key's state is kept after it was last written, in steps that otherwise keep it forever: regular JOINs, continuous AGGREGATEs and DEDUPLICATE (0: forever). `UID '…' TTL INTERVAL …` overrides it per step; see docs/state-ttl.md.",
  ),
  diskCacheSize: setting(
    'state.backend.disk.cache-size',
    memorySizeType,
    DEFAULT_DISK_CACHE_BYTES,
    "Memory each operator subtask of the `disk` backend keeps decoded state in: a cache of cells (a value, or a whole map, of one state for one key and namespace) in front of its on-disk store, the backend's memory bound (the role of the memory Flink manages for RocksDB's block cache and write buffers). A hit costs no store access; when the cells' estimated heap exceeds this, the least recently used are written back and dropped. A cell is estimated at about 235–250 bytes plus twice its value's encoded length, measured when it is loaded and each time it is written back or checkpointed; in a GROUP BY's pattern this matched the measured heap per small cell within ~10 % (bench/README.md, \"The `disk` backend, part 6\"). The default holds about 260,000 small cells (a GROUP BY's accumulators). Throughput depends on the share of accesses the cache serves: each miss costs a store read and, at eviction, a write.",
    { defaultText: '64 mb' },
  ),
  diskCacheCells: setting(
    'state.backend.disk.cache-cells',
    integerType(1, INT_MAX),
    undefined,
    "Bounds the `disk` backend's cache by a number of cells instead of by `state.backend.disk.cache-size` (each operator subtask keeps at most this many decoded; a small cell takes about 250 bytes of heap). Before `cache-size` existed this was the bound, 100000 by default (about 22 MiB of small cells).",
    { defaultText: 'unset: `state.backend.disk.cache-size` bounds the cache' },
  ),
  restartStrategy: setting(
    'restart-strategy.type',
    enumType(['none', 'fixed-delay', 'exponential-delay', 'failure-rate'], {
      off: 'none',
      disable: 'none',
      fixeddelay: 'fixed-delay',
      exponentialdelay: 'exponential-delay',
      failurerate: 'failure-rate',
    }),
    undefined,
    'What happens when a task fails: restart every task from the latest completed checkpoint, or fail the job.',
    { aliases: ['restart-strategy'], defaultText: '`exponential-delay` when checkpointing is enabled, else `none` (as in Flink)' },
  ),
  fixedDelayAttempts: setting(
    'restart-strategy.fixed-delay.attempts',
    integerType(0, INT_MAX),
    1,
    'Restarts tried before the job fails.',
  ),
  fixedDelayDelay: setting('restart-strategy.fixed-delay.delay', durationType(), 1_000, 'Wait before each restart.'),
  exponentialInitialBackoff: setting(
    'restart-strategy.exponential-delay.initial-backoff',
    durationType(),
    1_000,
    'Wait before the first restart.',
  ),
  exponentialMaxBackoff: setting(
    'restart-strategy.exponential-delay.max-backoff',
    durationType(),
    60_000,
    'Longest wait between restarts.',
  ),
  exponentialBackoffMultiplier: setting(
    'restart-strategy.exponential-delay.backoff-multiplier',
    numberType(1),
    1.5,
    'Factor applied to the wait after each failure.',
  ),
  exponentialResetBackoffThreshold: setting(
    'restart-strategy.exponential-delay.reset-backoff-threshold',
    durationType(),
    3_600_000,
    'Running this long without failure resets the wait to the initial backoff.',
  ),
  exponentialJitterFactor: setting(
    'restart-strategy.exponential-delay.jitter-factor',
    numberType(0, 1),
    0.1,
    'Random part of each wait, as a fraction of it.',
  ),
  exponentialAttempts: setting(
    'restart-strategy.exponential-delay.attempts-before-reset-backoff',
    integerType(1, INT_MAX),
    INT_MAX,
    'Restarts tried before the job fails, counted since the last backoff reset.',
  ),
  failureRateMaxFailures: setting(
    'restart-strategy.failure-rate.max-failures-per-interval',
    integerType(1, INT_MAX),
    1,
    'Failures within one interval that still restart the job; one more fails it.',
  ),
  failureRateInterval: setting(
    'restart-strategy.failure-rate.failure-rate-interval',
    durationType(1),
    60_000,
    'The interval over which failures are counted.',
  ),
  failureRateDelay: setting('restart-strategy.failure-rate.delay', durationType(), 1_000, 'Wait before each restart.'),
} as const;

export const settingDefinitions: readonly SettingDefinition[] = Object.values(Settings) as readonly SettingDefinition[];

const byKey: ReadonlyMap<string, SettingDefinition> = new Map(
  settingDefinitions.flatMap((d) => [d.key, ...d.aliases].map((k) => [k, d] as const)),
);

/** The definition of `key` or one of its aliases (keys are case-sensitive, as in Flink). */
export function findSetting(key: string): SettingDefinition | undefined {
  return byKey.get(key);
}

/** Every accepted spelling, for "did you mean" hints. */
export function knownSettingKeys(): Iterable<string> {
  return byKey.keys();
}
