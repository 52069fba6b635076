import type { DiagnosticDefinition } from '../diagnostic.js';

/** SLC2xxx: names of sources, sinks and views, columns of a definition, output column names, and UIDs. */
export const namesDiagnostics = {
  DuplicateStreamName: {
    code: 'SLC2001',
    severity: 'error',
    message: "'{name}' is already defined as a {kind}",
    help: 'rename one of them: sources, sinks and views share one namespace',
  },
  UnknownStream: {
    code: 'SLC2002',
    severity: 'error',
    message: "unknown stream '{name}'",
    help: 'define it with CREATE SOURCE or CREATE VIEW before this statement',
  },
  UnknownStreamDidYouMean: {
    code: 'SLC2003',
    severity: 'error',
    message: "unknown stream '{name}'",
    help: "did you mean '{suggestion}'?",
  },
  UsedBeforeDefinition: {
    code: 'SLC2004',
    severity: 'error',
    message: "{kind} '{name}' is used before its definition",
    help: 'move its CREATE {keyword} statement above this one: definitions must come before their use, as in SQL',
  },
  ViewRefersToItself: {
    code: 'SLC2005',
    severity: 'error',
    message: "view '{name}' reads from itself",
    help: 'a view reads from sources and views defined before it; read the stream it is built from instead',
  },
  SinkReadAsStream: {
    code: 'SLC2006',
    severity: 'error',
    message: "'{name}' is a sink and cannot be read",
    help: 'read the source or view that feeds it instead; sinks only receive rows through INSERT INTO',
  },
  UnknownSink: {
    code: 'SLC2007',
    severity: 'error',
    message: "unknown sink '{name}'",
    help: "declare it with CREATE SINK {name} WITH ('connector' = '…') UID '…' before this statement",
  },
  UnknownSinkDidYouMean: {
    code: 'SLC2008',
    severity: 'error',
    message: "unknown sink '{name}'",
    help: "did you mean '{suggestion}'?",
  },
  InsertIntoNonSink: {
    code: 'SLC2009',
    severity: 'error',
    message: "cannot INSERT INTO '{name}': it is a {kind}, not a sink",
    help: 'INSERT INTO writes to a sink declared with CREATE SINK',
  },
  MissingUid: {
    code: 'SLC2010',
    severity: 'error',
    message: '{what} has no UID',
    help: "add UID '{suggestion}': savepoints match state to operators by UID, so a stable UID lets {what} keep its state when the program changes",
  },
  DuplicateUid: {
    code: 'SLC2011',
    severity: 'error',
    message: "UID '{uid}' is used twice",
    help: 'every UID must be unique in the program: savepoints match state to operators by UID; rename one of them',
  },
  EmptyUid: {
    code: 'SLC2012',
    severity: 'error',
    message: 'a UID cannot be empty',
    help: "name the operator, e.g. UID '{suggestion}'",
  },
  UnusedStream: {
    code: 'SLC2013',
    severity: 'warning',
    message: "{kind} '{name}' is never read",
    help: 'read it with FROM, JOIN or UNION ALL in a pipeline that reaches an INSERT INTO, or remove it',
  },
  UnusedSink: {
    code: 'SLC2014',
    severity: 'warning',
    message: "sink '{name}' never receives rows",
    help: 'add INSERT INTO {name} FROM …, or remove it',
  },
  DuplicateColumn: {
    code: 'SLC2015',
    severity: 'error',
    message: "column '{name}' is declared twice in '{stream}'",
    help: 'column names must be unique within a source or sink; rename one of them',
  },
  UnknownKeyColumn: {
    code: 'SLC2030',
    severity: 'error',
    message: "PRIMARY KEY names '{name}', which is not a column of '{stream}'",
    help: 'the key is made of the columns of {stream}: {columns}',
  },
  DuplicateKeyColumn: {
    code: 'SLC2031',
    severity: 'error',
    message: "PRIMARY KEY names '{name}' twice",
    help: 'list each key column once',
  },
  UnknownWatermarkColumn: {
    code: 'SLC2016',
    severity: 'error',
    message: "WATERMARK FOR names '{name}', which is not a column of '{stream}'",
    help: 'the watermark is declared for one of the columns above: {columns}',
  },
  DuplicateOutputName: {
    code: 'SLC2017',
    severity: 'error',
    message: "the step produces two columns named '{name}'",
    help: 'give one of them another name with AS',
  },
  DuplicateQualifier: {
    code: 'SLC2018',
    severity: 'error',
    message: "'{name}' already names a stream of this pipeline",
    help: 'give the joined stream another name with AS, e.g. JOIN {stream} AS {suggestion}',
  },
  UnknownStarQualifier: {
    code: 'SLC2019',
    severity: 'error',
    message: "'{name}.*' names no stream of this pipeline",
    help: 'the streams in scope are: {qualifiers}',
  },
  UnusedWindowUid: {
    code: 'SLC2020',
    severity: 'warning',
    message: "UID '{uid}' of this WINDOW is not used",
    help: 'the window is computed by the {step} step that follows it, and that step\'s UID identifies its state; remove this one',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
