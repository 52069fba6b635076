import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC916x: mistakes in what a Node program gives `Job.start` (sources fed from iterables, sinks read through
 * callbacks) and in the rows it feeds. Thrown as `JobInputError` (runtime/job-input-error.ts).
 */
export const apiDiagnostics = {
  UnknownFedUid: {
    code: 'SLC9160',
    severity: 'error',
    message: "`{option}` names '{uid}', but the job has no {kind} with that uid",
    help: 'give one of its {kind} uids: {uids}',
  },
  FeedNotIterable: {
    code: 'SLC9161',
    severity: 'error',
    message: "source '{uid}' is fed {value}, which is not an iterable or async iterable of rows",
    help: 'give an array, a generator or another (async) iterable whose items are rows: arrays in column order or objects by column name',
  },
  SinkNotFunction: {
    code: 'SLC9162',
    severity: 'error',
    message: "sink '{uid}' is given {value}, not a function",
    help: 'give a callback `(rows, { subtask, kinds }) => …`, or `{ callback, maxInFlight }`: it is called with each batch of the sink\'s rows',
  },
  FedRowNotARow: {
    code: 'SLC9163',
    severity: 'error',
    message: "source '{uid}' row {row} is {value}, not a row",
    help: 'yield arrays in column order ({columns}) or objects by column name',
  },
  FedRowWidth: {
    code: 'SLC9164',
    severity: 'error',
    message: "source '{uid}' row {row} has {count} values, but the source has {width} columns",
    help: 'give one value per column, in this order (null for NULL): {columns}',
  },
  FedRowUnknownColumns: {
    code: 'SLC9165',
    severity: 'error',
    message: "source '{uid}' row {row} has {names}, which the source has no column for",
    help: 'its columns are {columns} (names are case-sensitive); leave other properties out of the rows you feed',
  },
  FedNullInNotNull: {
    code: 'SLC9166',
    severity: 'error',
    message: "source '{uid}' row {row}: column '{column}' is {type} NOT NULL, but the row gives it no value",
    help: 'give every NOT NULL column a value, or declare the column without NOT NULL',
  },
  FedValueMismatch: {
    code: 'SLC9167',
    severity: 'error',
    message: "source '{uid}' row {row}: column '{column}' ({type}): {problem}",
    help: 'give {accepted}',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
