import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC4xxx: job configuration (`SET`, `--set`) and connector options (`WITH (…)`).
 * `{suggestion}` arguments are a complete "did you mean 'x'? " phrase, or '' when nothing is close.
 */
export const configDiagnostics = {
  UnknownSetting: {
    code: 'SLC4001',
    severity: 'error',
    message: "unknown configuration key '{key}'",
    help: "{suggestion}the accepted keys are listed in the README, section 'Configuration'",
  },
  InvalidSettingValue: {
    code: 'SLC4002',
    severity: 'error',
    message: "invalid value '{value}' for '{key}'",
    help: "'{key}' accepts {accepted}",
  },
  DuplicateSetting: {
    code: 'SLC4003',
    severity: 'warning',
    message: "'{key}' is set more than once; the last value, '{value}', wins",
    help: "remove the earlier SET of '{key}'",
  },
  MaxParallelismBelowParallelism: {
    code: 'SLC4004',
    severity: 'error',
    message: "'pipeline.max-parallelism' ({maxParallelism}) is lower than the parallelism ({parallelism})",
    help: "raise 'pipeline.max-parallelism' (it is the number of key groups and cannot change across savepoints) or lower 'parallelism.default'",
  },
  MaxBackoffBelowInitialBackoff: {
    code: 'SLC4005',
    severity: 'error',
    message: "'restart-strategy.exponential-delay.max-backoff' ({maxBackoff}) is shorter than the initial backoff ({initialBackoff})",
    help: "raise 'restart-strategy.exponential-delay.max-backoff' or lower 'restart-strategy.exponential-delay.initial-backoff'",
  },
  CheckpointDirMissing: {
    code: 'SLC4006',
    severity: 'error',
    message: "the '{backend}' state backend writes checkpoints to files, but 'state.checkpoints.dir' is not set",
    help: "add SET 'state.checkpoints.dir' = '<directory>', or use SET 'state.backend.type' = 'memory' to keep checkpoints in memory (they are lost when the process ends)",
  },
  CheckpointSettingWithoutCheckpointing: {
    code: 'SLC4007',
    severity: 'warning',
    message: "'{key}' has no effect because checkpointing is disabled",
    help: "enable checkpoints with SET 'execution.checkpointing.interval' = '10 s', or remove this setting",
  },
  RestartOptionForOtherStrategy: {
    code: 'SLC4008',
    severity: 'warning',
    message: "'{key}' has no effect because the restart strategy is '{strategy}'",
    help: "set 'restart-strategy.type' = '{wanted}' to use it, or remove this setting",
  },
  MissingConnector: {
    code: 'SLC4010',
    severity: 'error',
    message: "{role} '{name}' has no 'connector' option",
    help: "add 'connector' = '…' to its WITH clause; {role} connectors are: {accepted}",
  },
  UnknownConnector: {
    code: 'SLC4011',
    severity: 'error',
    message: "unknown {role} connector '{connector}'",
    help: '{suggestion}{role} connectors are: {accepted}',
  },
  UnknownConnectorOption: {
    code: 'SLC4012',
    severity: 'error',
    message: "the '{connector}' connector has no option '{key}'",
    help: '{suggestion}its options are: {accepted}',
  },
  MissingConnectorOption: {
    code: 'SLC4013',
    severity: 'error',
    message: "the '{connector}' connector needs the option '{key}'",
    help: "add '{key}' = '…' to the WITH clause: {description}",
  },
  InvalidConnectorOption: {
    code: 'SLC4014',
    severity: 'error',
    message: "invalid value '{value}' for option '{key}'",
    help: "'{key}' accepts {accepted}",
  },
  DuplicateConnectorOption: {
    code: 'SLC4015',
    severity: 'error',
    message: "option '{key}' is given more than once",
    help: 'keep only one of them',
  },
  FileFormatNotImplied: {
    code: 'SLC4016',
    severity: 'error',
    message: "cannot tell the format of '{path}' from its name",
    help: "add 'format' = 'jsonl' or 'format' = 'csv' (only paths ending in .jsonl, .ndjson or .csv imply their format)",
  },
  IneffectiveConnectorOption: {
    code: 'SLC4017',
    severity: 'warning',
    message: "option '{key}' has no effect when '{otherKey}' is '{otherValue}'",
    help: "remove it, or set '{otherKey}' = '{neededValue}'",
  },
  OptionForUndeclaredColumn: {
    code: 'SLC4018',
    severity: 'error',
    message: "'{key}' refers to column '{column}', which source '{source}' does not declare",
    help: '{suggestion}the declared columns are: {columns}',
  },
  FieldOptionNotApplicable: {
    code: 'SLC4019',
    severity: 'error',
    message: "'{key}' does not apply to column '{column}' of type {type}",
    help: "'{option}' applies to {applies}",
  },
  SequenceNeedsBounds: {
    code: 'SLC4020',
    severity: 'error',
    message: "column '{column}' is generated as a sequence but '{key}' is not set",
    help: "add '{key}' = '…': a sequence counts from 'fields.{column}.start' to 'fields.{column}.end'",
  },
  EmptyRange: {
    code: 'SLC4021',
    severity: 'error',
    message: "'{lowKey}' ({low}) is greater than '{highKey}' ({high})",
    help: "make '{lowKey}' at most '{highKey}'",
  },
  NullsInNotNullColumn: {
    code: 'SLC4022',
    severity: 'error',
    message: "'{key}' is {value}, but column '{column}' is NOT NULL",
    help: "set '{key}' = '0', or declare the column without NOT NULL",
  },
  NexmarkUnknownColumn: {
    code: 'SLC4023',
    severity: 'error',
    message: "the Nexmark '{table}' table has no column '{column}'",
    help: '{suggestion}its columns are: {columns}',
  },
  NexmarkColumnType: {
    code: 'SLC4024',
    severity: 'error',
    message: "column '{column}' of the Nexmark '{table}' table is {expected}, not {actual}",
    help: "declare it as '{column} {expected}'",
  },
} as const satisfies Record<string, DiagnosticDefinition>;
