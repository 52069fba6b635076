/**
 * The runtime's public surface: running a job graph, and the operator and state APIs that operators are
 * written against.
 */
export { Job } from './execution/job.js';
export type { JobOptions, JobResult, CancelResult, FailedJobResult, JobMetrics, OperatorMetricsReport, TaskMetricsReport } from './execution/job-options.js';
export { OperatorFailure } from './execution/operator-failure.js';
export type { OperatorSubtaskRestore, OperatorSubtaskSnapshot } from './execution/operator-host.js';
export type { TaskCheckpointing } from './execution/stream-task.js';
export type { JobEvents, JobWarning, RestoreInfo, RestartEvent, CheckpointStartedEvent } from './execution/job-events.js';
export type { CheckpointStats, CheckpointMetrics, SubtaskCheckpointStats } from './checkpoint/checkpoint-stats.js';
export { DiagnosticError } from './diagnostic-error.js';
export { JobInputError } from './job-input-error.js';
export { CheckpointRestoreError } from './checkpoint/restore/restore-error.js';
export type { CheckpointStorage, StoredCheckpoint, CheckpointLocation } from './checkpoint/storage/checkpoint-storage.js';
export { MemoryCheckpointStorage } from './checkpoint/storage/memory-storage.js';
export { FileCheckpointStorage } from './checkpoint/storage/file-storage.js';
export { parseMetadata, serializeMetadata, METADATA_FILE } from './checkpoint/metadata/metadata-format.js';
export type { CheckpointMetadata } from './checkpoint/metadata/metadata-format.js';
export { openCheckpoint, loadCheckpoint } from './checkpoint/restore/load-checkpoint.js';

export type { RecordBatch } from './record-batch.js';
export { RowKind, makeBatch, kindAt } from './record-batch.js';
export type { ChannelEvent } from './channels/channel-event.js';

export { BaseOperator } from './operators/operator.js';
export type { OperatorContext, StreamOperator, SourceOperator, SourcePollResult } from './operators/operator.js';
export { RowFailure } from './operators/row-failure.js';
export { operatorFactories, specOf } from './operators/registry.js';
export type { OperatorEnvironment, OperatorFactory } from './operators/registry.js';
export type { CallbackSinkOptions, SinkCallback, SinkTarget } from './operators/callback-sink.js';
export type { SourceFeed, SourceRow } from './operators/iterable-source.js';

export { valueState, listState, mapState, reducingState, aggregatingState } from './state/keyed-state.js';
export type {
  ValueState,
  ListState,
  MapState,
  ReducingState,
  AggregatingState,
  AggregateFunction,
  KeyedStateDescriptor,
} from './state/keyed-state.js';
export type { OperatorListState, OperatorStateList, Redistribution } from './state/operator-state.js';
export { redistributeOperatorState } from './state/operator-state.js';
export type { KeyedStateBackend, KeyedStateSnapshot, StateEntry, StateBackendType } from './state/keyed-state-backend.js';
export { createKeyedStateBackend } from './state/create-backend.js';
export { keyedStateLines, parseKeyedStateLines, keyedStateToText, keyedStateFromText } from './state/snapshot-format.js';
export { encodeKey, decodeKey } from './state/key-codec.js';
export { keyGroupForKey, keyGroupRangeForSubtask, subtaskForKeyGroup, defaultMaxParallelism } from './state/key-groups.js';
export type { KeyGroupRange } from './state/key-groups.js';

export type { Clock } from './time/clock.js';
export { systemClock, ManualClock } from './time/clock.js';
export type { Timer, Timers, TimeDomain } from './time/timer-service.js';
