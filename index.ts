/**
 * Sluice's public API: the single entry point of the package (`import { compile } from 'sluice'`).
 * User errors never throw; they come back as diagnostics in a `{ value, diagnostics }` result.
 */

// Language: parse and print .pipe text.
export { parse } from './grammar/parse.js';
export { printScript } from './grammar/print.js';
export type * from './grammar/ast/index.js';

// Compiler: .pipe text to a typed job graph.
export { compile } from './compiler/compile.js';
export type { CompileOptions, CompileResult } from './compiler/compile.js';
export type { FunctionSignatures, ProcessFunctionSignature, ProcessStateDeclaration, ScalarUdf, ScalarUdfSignature } from './compiler/functions/registry.js';
export type {
  FunctionSignaturesInput,
  ScalarUdfSignatureInput,
  ProcessFunctionSignatureInput,
  ProcessStateDeclarationInput,
  ManagedStateDeclarationInput,
  RawStateDeclarationInput,
  FieldInput,
  TypeInput,
} from './compiler/functions/signature-schema.js';
export { parseType } from './compiler/types/parse-type.js';
export type { Field, SqlType, SqlTypeName } from './compiler/types/sql-type.js';
export { typeToString } from './compiler/types/sql-type.js';
export type { TypedExpr } from './compiler/expressions/typed-expr.js';
export type { JobConfig, RestartStrategy } from './compiler/config/job-config.js';

// Diagnostics: data, and their rendering with source lines and carets.
export type { Diagnostic, DiagnosticArgs, RelatedLocation, Severity } from './compiler/diagnostics/diagnostic.js';
export { hasErrors } from './compiler/diagnostics/diagnostic.js';
export { Diagnostics } from './compiler/diagnostics/catalogue.js';
export { formatDiagnostic, formatDiagnostics, formatSummary } from './compiler/diagnostics/format.js';
export { SourceText } from './compiler/diagnostics/source-text.js';

// The job graph: schema, loading, digest, exporters.
export { JOB_GRAPH_FORMAT_VERSION, JobGraphSchema } from './compiler/graph/job-graph.js';
export type { Chain, Edge, JobGraph, Operator, OperatorKind, OperatorSpec, StateDescriptor, StreamSchema, WindowSpec } from './compiler/graph/job-graph.js';
export { loadJobGraph, validateJobGraph } from './compiler/graph/validate-graph.js';
export type { GraphLoadResult } from './compiler/graph/validate-graph.js';
export { canonicalJson, graphDigest } from './compiler/graph/digest.js';
export { toJson } from './compiler/exporters/json.js';
export { toDot } from './compiler/exporters/dot.js';
export { toMermaid } from './compiler/exporters/mermaid.js';
export { summarize } from './compiler/exporters/summary.js';
export { renderExpr } from './compiler/exporters/render-expr.js';

// Runtime: run a job graph inside a Node process (docs/api.md). Sources may be fed from (async) iterables and
// sinks read through callbacks, by uid; user functions are registered by name.
export { Job, OperatorFailure, CheckpointRestoreError, DiagnosticError, JobInputError } from './runtime/index.js';
export type {
  JobOptions,
  JobResult,
  CancelResult,
  FailedJobResult,
  JobMetrics,
  OperatorMetricsReport,
  TaskMetricsReport,
  JobEvents,
  JobWarning,
  RestoreInfo,
  RestartEvent,
  CheckpointStartedEvent,
  CheckpointStats,
  CheckpointMetrics,
  SinkCallback,
  SinkTarget,
  CallbackSinkOptions,
  SourceFeed,
  SourceRow,
} from './runtime/index.js';
export { jobFunctions } from './runtime/execution/job-functions.js';
// CREATE FUNCTION: load the modules a program names, then `compile(text, { functions })` and `jobFunctions(functions)`.
export { loadCreatedFunctions } from './cli/load-created-functions.js';
export type { LoadCreatedFunctionsOptions } from './cli/load-created-functions.js';
export type { LoadedFunctions, LoadFunctionsResult, ProcessFunctionDefinition } from './cli/load-functions.js';
export type { JobFunctions } from './runtime/execution/job-functions.js';
export type {
  ProcessFunction,
  ObjectRowProcessFunction,
  ArrayRowProcessFunction,
  ProcessRow,
  ChangeKind,
  ProcessOpenContext,
  ProcessSnapshotContext,
  ProcessContext,
  TimerContext,
  ProcessStateAccess,
  ProcessValueState,
  ProcessListState,
  ProcessRawState,
  ProcessMapState,
  ProcessReducingState,
  ProcessAggregatingState,
  ProcessTimers,
} from './runtime/operators/process/process-function.js';

// `sluice run --metrics-json`: the shape of each JSON line, for scripts that read them.
export { MetricsLineSchema, METRICS_JSON_VERSION } from './cli/metrics-json.js';
export type { MetricsLine } from './cli/metrics-json.js';

// Job control: makes a job run inside your process reachable by `sluice savepoint`, `sluice stop` and `sluice list`
// (a local socket, authorized by a token in a per-user registry file).
export { startJobControl } from './cli/control/job-control.js';
export type { JobControl, JobControlContext } from './cli/control/job-control.js';
export type { ControllableJob } from './cli/control/controllable-job.js';

// The web dashboard (docs/web-ui.md): `serveWebUi(job)` serves a job's page and REST API; the schemas of every
// REST response, for clients of the API.
export { serveWebUi } from './web/server/serve-web-ui.js';
export type { WebUi, WebUiOptions } from './web/server/serve-web-ui.js';
export type { DashboardJob, JobDashboard } from './web/server/job-dashboard.js';
export {
  JobsOverviewSchema,
  JobDetailSchema,
  VertexSchema,
  VertexDetailSchema,
  CheckpointsSchema,
  CheckpointEntrySchema,
  ExceptionsSchema,
  JobConfigViewSchema,
  SavepointRequestSchema,
  SavepointResponseSchema,
  StopRequestSchema,
  StopResponseSchema,
  ErrorResponseSchema,
} from './web/server/schemas.js';
export type { JobsOverview, JobDetail, Vertex, VertexDetail, Checkpoints, CheckpointEntry, Exceptions, JobConfigView, ErrorResponse } from './web/server/schemas.js';
