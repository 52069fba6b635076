import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC6xxx: savepoint compatibility (`sluice compile --check-savepoint`, and the same check before every restore).
 * Errors make the savepoint unrestorable; notes and warnings explain a verdict that still restores.
 */
export const savepointDiagnostics = {
  MaxParallelismChanged: {
    code: 'SLC6001',
    severity: 'error',
    message: "max parallelism changed from {previous} to {next}: the keyed state of '{uid}' is split into {previous} key groups",
    help: "keep SET 'pipeline.max-parallelism' = '{previous}' (the parallelism can still change up to it), or give '{uid}' a new uid to start it empty",
  },
  OperatorKindChanged: {
    code: 'SLC6002',
    severity: 'error',
    message: "uid '{uid}' was a {previous} step in the savepoint and is a {next} step now",
    help: "a uid names one step for the life of the pipeline: give the new step a new uid (its state starts empty), or keep the {previous} step under '{uid}'",
  },
  UndeclaredSavedOperator: {
    code: 'SLC6003',
    severity: 'error',
    message: "the savepoint holds state of '{uid}', but the job graph stored with it has no step of that uid",
    help: 'the savepoint metadata is inconsistent: take a new savepoint of the running job, or give the step a new uid to start it empty',
  },
  KeyChanged: {
    code: 'SLC6004',
    severity: 'error',
    message: "the key of state '{state}' of '{uid}' changed from {previous} to {next}",
    help: "restored state is found by key, so a different GROUP BY, join, DEDUPLICATE or PARTITION BY key (or a renamed key column) cannot use it: keep the old key, rename columns in a later step, or give the step a new uid to start it empty",
  },
  StateKindChanged: {
    code: 'SLC6005',
    severity: 'error',
    message: "state '{state}' of '{uid}' was {previous} and is {next} now",
    help: "the stored entries cannot be read as the new kind: keep the step as it was, or give it a new uid to start it empty",
  },
  MapKeyChanged: {
    code: 'SLC6006',
    severity: 'error',
    message: "the map key of state '{state}' of '{uid}' changed from {previous} to {next}",
    help: "entries are stored under the old map key: keep the columns it is made of as they were, or give the step a new uid to start it empty",
  },
  ValueColumnAddedNotNull: {
    code: 'SLC6007',
    severity: 'error',
    message: "state '{state}' of '{uid}' gains column '{column}' {type} NOT NULL, which restored values have no value for",
    help: 'let the column be nullable (restored values then hold NULL in it), or give the step a new uid to start it empty',
  },
  ValueColumnTypeChanged: {
    code: 'SLC6008',
    severity: 'error',
    message: "column '{column}' of state '{state}' of '{uid}' changed type from {previous} to {next}, which is not a widening",
    help: 'only INT → BIGINT → DOUBLE and wider DECIMALs migrate: keep the type (and CAST in a later step), or give the step a new uid to start it empty',
  },
  ValueColumnNowNotNull: {
    code: 'SLC6009',
    severity: 'error',
    message: "column '{column}' of state '{state}' of '{uid}' became NOT NULL, but restored values may hold NULL in it",
    help: 'keep the column nullable in this step (filter or COALESCE NULLs in a later one), or give the step a new uid to start it empty',
  },
  AggregateAdded: {
    code: 'SLC6010',
    severity: 'error',
    message: "aggregate {call} is new in '{uid}': the restored groups have no accumulator for it",
    help: 'compute it in a new AGGREGATE step with a uid of its own, or give this step a new uid to start every aggregate empty; if you only renamed it, keep the old alias and rename it in a later SELECT',
  },
  AggregateChanged: {
    code: 'SLC6011',
    severity: 'error',
    message: "aggregate '{name}' of '{uid}' changed from {previous} to {next}: the restored accumulators hold {previous}",
    help: 'keep {previous} under this uid and compute the new aggregate in a new step, or give this step a new uid to start it empty',
  },
  AggregateArgumentChanged: {
    code: 'SLC6012',
    severity: 'warning',
    message: "the argument of aggregate '{name}' of '{uid}' changed from {previous} to {next}: the restored accumulators continue from values of {previous}",
    help: 'if the new argument means other data, give the step a new uid to start it empty',
  },
  AggregateInputNowUpdating: {
    code: 'SLC6013',
    severity: 'error',
    message: "the input of '{uid}' now carries updates, but the savepoint kept no input rows to retract them from the restored groups",
    help: 'keep the input append-only for this step, or give it a new uid to start it empty',
  },
  WindowChanged: {
    code: 'SLC6014',
    severity: 'error',
    message: "the window of '{uid}' changed from {previous} to {next}: the open windows in the savepoint have the old bounds",
    help: 'keep {previous} under this uid and add the new window as a new step with its own uid, or give this step a new uid to start it empty',
  },
  JoinTypeChanged: {
    code: 'SLC6015',
    severity: 'error',
    message: "the join '{uid}' changed from {previous} JOIN to {next} JOIN",
    help: 'the two keep different state: keep the {previous} JOIN under this uid, or give the join a new uid to start it empty',
  },
  DeduplicateKeepChanged: {
    code: 'SLC6016',
    severity: 'error',
    message: "DEDUPLICATE '{uid}' changed from KEEP {previous} to KEEP {next}",
    help: 'the two keep different state: keep KEEP {previous} under this uid, or give the step a new uid to start it empty',
  },
  ProcessFunctionChanged: {
    code: 'SLC6017',
    severity: 'error',
    message: "process step '{uid}' runs {next} now, but its state was written by {previous}",
    help: 'keep running {previous} under this uid, or give the step a new uid to start it empty',
  },
  SourceIdentityChanged: {
    code: 'SLC6020',
    severity: 'error',
    message: "source '{uid}' changed its {what} from {previous} to {next}: the positions recorded in the savepoint are positions in the old one",
    help: "if it is a new source, give it a new uid (it then reads from the beginning); to continue where the job stopped, keep {what} {previous}",
  },
  SourceOptionsChanged: {
    code: 'SLC6021',
    severity: 'note',
    message: "source '{uid}' continues from its recorded position with changed options: {changes}",
  },
  StateDropped: {
    code: 'SLC6030',
    severity: 'error',
    message: "the savepoint holds state '{state}' of '{uid}' ({size}), which the new job does not restore",
    help: "restore it with a step of uid '{uid}' that keeps this state, or pass --allow-non-restored-state (-n) to drop it",
  },
  StateDroppedAllowed: {
    code: 'SLC6031',
    severity: 'warning',
    message: "state '{state}' of '{uid}' ({size}) is not restored: --allow-non-restored-state drops it",
  },
  EmptyStateSkipped: {
    code: 'SLC6032',
    severity: 'note',
    message: "state '{state}' of '{uid}' is empty in the savepoint and the new job does not restore it: skipped",
  },
  OperatorStartsEmpty: {
    code: 'SLC6033',
    severity: 'note',
    message: "'{uid}' is not in the savepoint: it starts with empty state",
  },
  StateStartsEmpty: {
    code: 'SLC6034',
    severity: 'note',
    message: "state '{state}' of '{uid}' is not in the savepoint: it starts empty",
  },
  ColumnAdded: {
    code: 'SLC6040',
    severity: 'note',
    message: "state '{state}' of '{uid}' gains nullable column '{column}' {type}: restored values hold NULL in it",
  },
  ColumnDropped: {
    code: 'SLC6041',
    severity: 'note',
    message: "state '{state}' of '{uid}' loses column '{column}': restoring drops its values",
  },
  ColumnMoved: {
    code: 'SLC6042',
    severity: 'note',
    message: "column '{column}' of state '{state}' of '{uid}' moves from position {from} to {to}: restoring reorders the values",
  },
  NumberWidened: {
    code: 'SLC6043',
    severity: 'note',
    message: "column '{column}' of state '{state}' of '{uid}' widens from {previous} to {next}: restoring keeps every value",
  },
} as const satisfies Record<string, DiagnosticDefinition>;
