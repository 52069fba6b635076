import type { DiagnosticDefinition } from '../diagnostic.js';

/** SLC5xxx: steps and operators — windows, aggregates, joins, unions, deduplication, process functions, sinks. */
export const planDiagnostics = {
  NoTimeAttribute: {
    code: 'SLC5001',
    severity: 'error',
    message: 'WINDOW {function} needs an event-time attribute, and this stream has none',
    help: 'declare one in the source with WATERMARK FOR <column> AS <column> - INTERVAL …, and let that column pass through every SELECT unchanged',
  },
  WindowOnNonTimeAttribute: {
    code: 'SLC5002',
    severity: 'error',
    message: "WINDOW {function} must be computed on the time attribute '{rowtime}', not on this expression",
    help: "write {function}({rowtime}, …): the time attribute is the column declared with WATERMARK FOR in the source",
  },
  DurationNotConstant: {
    code: 'SLC5003',
    severity: 'error',
    message: 'the {what} of {function} must be a constant INTERVAL',
    help: "write an interval literal such as INTERVAL '10' SECOND",
  },
  DurationNotPositive: {
    code: 'SLC5004',
    severity: 'error',
    message: 'the {what} of {function} must be positive, but it is {ms} ms',
    help: "write a positive interval such as INTERVAL '10' SECOND",
  },
  HopSizeNotMultipleOfSlide: {
    code: 'SLC5005',
    severity: 'error',
    message: 'the HOP size ({size} ms) is not a whole multiple of its slide ({slide} ms)',
    help: 'choose a size that is a whole number of slides, e.g. {suggestion} ms, as Flink requires',
  },
  SessionWithoutAggregate: {
    code: 'SLC5006',
    severity: 'error',
    message: 'a SESSION window must be aggregated by the step right after it',
    help: "follow it with |> AGGREGATE … GROUP BY …, window_start, window_end UID '…': sessions only exist per group key",
  },
  WindowColumnsExist: {
    code: 'SLC5007',
    severity: 'error',
    message: "WINDOW adds a column '{name}', but the stream already has one",
    help: 'rename or drop the existing column with SELECT before this WINDOW',
  },
  NotAnAggregate: {
    code: 'SLC5008',
    severity: 'error',
    message: "'{name}' is not an aggregate function",
    help: 'AGGREGATE items are COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE and LAST_VALUE calls; compute other values with EXTEND before the AGGREGATE or SELECT after it',
  },
  AggregateArgumentType: {
    code: 'SLC5009',
    severity: 'error',
    message: '{name} cannot take an argument of type {type}',
    help: '{name} takes {accepted}',
  },
  DistinctNotSupported: {
    code: 'SLC5010',
    severity: 'error',
    message: '{name}(DISTINCT …) is not supported',
    help: 'only COUNT(DISTINCT x) is; deduplicate first with DEDUPLICATE BY if you need distinct values',
  },
  UpdatingInput: {
    code: 'SLC5011',
    severity: 'error',
    message: '{operation} needs an append-only input, but this stream is updating',
    help: 'updates come from a continuous AGGREGATE (one without WINDOW), a regular LEFT JOIN or DEDUPLICATE … KEEP LAST upstream; place {operation} before that step',
  },
  UpdatingAggregateKeys: {
    code: 'SLC5012',
    severity: 'error',
    message: 'AGGREGATE over an updating stream is only supported when every GROUP BY key is one of its key columns ({keys})',
    help: 'group by a subset of {keys}, so that an update of a row never moves it to another group',
  },
  JoinWithoutEquality: {
    code: 'SLC5013',
    severity: 'error',
    message: 'a streaming join needs at least one equality between the two sides',
    help: 'add a condition such as {example}; rows are partitioned by these keys',
  },
  UnboundedJoinState: {
    code: 'SLC5014',
    severity: 'warning',
    message: 'this regular join keeps {kept} in state forever',
    help: 'bound it in time, e.g. AND {right} BETWEEN {left} - INTERVAL \'1\' HOUR AND {left} (an interval join), join two streams windowed alike on window_start and window_end (a window join), or let idle keys expire with a state TTL (UID \'…\' TTL INTERVAL \'1\' DAY)',
  },
  WindowJoinMismatch: {
    code: 'SLC5015',
    severity: 'error',
    message: 'both sides of a window join must be windowed alike, but the left uses {left} and the right {right}',
    help: 'use the same window function and durations on both sides',
  },
  UnionSchemaMismatch: {
    code: 'SLC5016',
    severity: 'error',
    message: "UNION ALL '{name}': its columns {right} do not match {left}",
    help: 'both sides need the same number of columns, with compatible types position by position; align them with SELECT and CAST',
  },
  UnknownProcessFunction: {
    code: 'SLC5017',
    severity: 'error',
    message: "unknown process function '{name}'",
    help: '{hint}register it with the Node API (compile(text, { functions: { processes: [...] } })) or with `sluice --functions module.js`',
  },
  ProcessArgumentCount: {
    code: 'SLC5018',
    severity: 'error',
    message: '{name} takes {expected} argument(s), but {actual} given',
    help: 'its signature is {signature}',
  },
  ProcessArgumentType: {
    code: 'SLC5019',
    severity: 'error',
    message: 'argument {position} of {name} has type {actual}, but {expected} is expected',
    help: 'its signature is {signature}; convert the argument with CAST(… AS {expected})',
  },
  KeyedStateWithoutPartition: {
    code: 'SLC5020',
    severity: 'error',
    message: "process function {name} declares {kind} state '{state}', which needs a key",
    help: 'add PARTITION BY <key> to the PROCESS step; without a key only list state is possible',
  },
  SinkSchemaMismatch: {
    code: 'SLC5021',
    severity: 'error',
    message: "INSERT INTO {sink}: the pipeline's columns {actual} do not match the sink's {expected}",
    help: 'columns are matched by position and types must be assignable; align them with SELECT and CAST',
  },
  NoInsert: {
    code: 'SLC5022',
    severity: 'error',
    message: 'the program has no INSERT INTO statement, so the job would do nothing',
    help: "write rows to a sink: CREATE SINK out WITH ('connector' = 'print') UID 'out-sink'; INSERT INTO out FROM …;",
  },
  WatermarkColumnType: {
    code: 'SLC5023',
    severity: 'error',
    message: "WATERMARK FOR '{name}' needs a TIMESTAMP(3) column, but '{name}' is {type}",
    help: 'declare the column as TIMESTAMP(3), or convert it in a view and window that',
  },
  WatermarkExpressionType: {
    code: 'SLC5024',
    severity: 'error',
    message: 'the watermark expression has type {type}, but must be a TIMESTAMP(3)',
    help: "write the column minus the allowed lateness, e.g. {column} - INTERVAL '5' SECOND",
  },
} as const satisfies Record<string, DiagnosticDefinition>;
