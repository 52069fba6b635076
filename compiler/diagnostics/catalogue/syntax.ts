import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC1xxx: lexing and parsing. SLC100x come from the lexer, SLC101x from the parser (`{found}` is the
 * offending token, quoted, or "the end of the file"; `{previous}` the token before it), SLC102x from the
 * CST→AST builder, which checks the forms the grammar leaves open (units, window functions, type parameters).
 */
export const syntaxDiagnostics = {
  UnexpectedCharacter: {
    code: 'SLC1001',
    severity: 'error',
    message: "unexpected character '{char}'",
    help: 'remove it, or quote the text: strings use single quotes, identifiers back quotes',
  },
  UnterminatedString: {
    code: 'SLC1002',
    severity: 'error',
    message: 'unterminated string literal',
    help: "close the string with a single quote; write '' for a quote inside it",
  },
  UnterminatedQuotedIdentifier: {
    code: 'SLC1003',
    severity: 'error',
    message: 'unterminated quoted identifier',
    help: 'close the identifier with a back quote; write `` for a back quote inside it',
  },
  UnterminatedComment: {
    code: 'SLC1004',
    severity: 'error',
    message: "unterminated block comment",
    help: "close the comment with '*/'",
  },
  NestingTooDeep: {
    code: 'SLC1005',
    severity: 'error',
    message: 'the file nests expressions too deeply to be parsed',
    help: 'split the deepest expression into EXTEND steps that each compute a part of it',
  },
  MissingSemicolon: {
    code: 'SLC1010',
    severity: 'error',
    message: "expected ';' after the statement, found {found}",
    help: "end every statement with ';'",
  },
  MissingPipe: {
    code: 'SLC1011',
    severity: 'error',
    message: "expected '|>' before {found}",
    help: "every step of a pipeline starts with '|>', as in 'FROM s |> WHERE x > 0'",
  },
  ExpectedToken: {
    code: 'SLC1012',
    severity: 'error',
    message: 'expected {expected} after {previous}, found {found}',
    help: 'write {expected} here; check for a missing or misspelled word just before it',
  },
  ExpectedExpression: {
    code: 'SLC1013',
    severity: 'error',
    message: 'expected an expression after {previous}, found {found}',
    help: 'write a value, a column, a function call or a parenthesised expression here',
  },
  ExpectedStatement: {
    code: 'SLC1014',
    severity: 'error',
    message: 'expected a statement, found {found}',
    help: "a statement starts with SET, CREATE SOURCE, CREATE SINK, CREATE VIEW or INSERT INTO, and ends with ';'",
  },
  ExpectedCreateKind: {
    code: 'SLC1015',
    severity: 'error',
    message: 'expected SOURCE, SINK, VIEW or FUNCTION after CREATE, found {found}',
    help: "write CREATE SOURCE name (…), CREATE SINK name WITH (…), CREATE VIEW name AS FROM … or CREATE FUNCTION name AS 'module.js'",
  },
  ExpectedStep: {
    code: 'SLC1016',
    severity: 'error',
    message: "expected a step after '|>', found {found}",
    help: 'a step is one of WHERE, SELECT, EXTEND, WINDOW, AGGREGATE, [LEFT] JOIN, UNION ALL, DEDUPLICATE or PROCESS',
  },
  ReservedWordAsName: {
    code: 'SLC1017',
    severity: 'error',
    message: "expected a name after {previous}, found the reserved word '{word}'",
    help: 'back-quote it to use it as a name: `{word}`',
  },
  ReservedWordInExpression: {
    code: 'SLC1018',
    severity: 'error',
    message: "expected an expression after {previous}, found the reserved word '{word}'",
    help: 'write an expression here; to use the word as a column name, back-quote it: `{word}`',
  },
  UnknownIntervalUnit: {
    code: 'SLC1020',
    severity: 'error',
    message: "unknown interval unit '{unit}'",
    help: "use MILLISECOND, SECOND, MINUTE, HOUR or DAY (singular or plural), as in INTERVAL '10' SECOND",
  },
  UnknownWindowFunction: {
    code: 'SLC1021',
    severity: 'error',
    message: "unknown window function '{name}'",
    help: 'use TUMBLE(time_col, size), HOP(time_col, slide, size) or SESSION(time_col, gap)',
  },
  WindowArgumentCount: {
    code: 'SLC1022',
    severity: 'error',
    message: '{name} takes {expected} arguments, found {actual}',
    help: 'write {usage}',
  },
  InvalidTypeParameter: {
    code: 'SLC1023',
    severity: 'error',
    message: "type parameter '{text}' is not a whole number",
    help: 'type parameters are non-negative integers, as in DECIMAL(10, 2) or TIMESTAMP(3)',
  },
  AggregateNotACall: {
    code: 'SLC1024',
    severity: 'error',
    message: 'AGGREGATE expects an aggregate function call',
    help: 'write a call such as COUNT(*) AS n or SUM(price) AS total; compute on top of it in a later EXTEND or SELECT',
  },
  DuplicateWatermark: {
    code: 'SLC1025',
    severity: 'error',
    message: 'a source has at most one WATERMARK',
    help: 'keep one WATERMARK FOR col AS expr clause',
  },
  WatermarkInSink: {
    code: 'SLC1026',
    severity: 'error',
    message: 'WATERMARK is only allowed in CREATE SOURCE',
    help: 'remove the WATERMARK clause from the sink; watermarks are defined where events enter the job',
  },
  DuplicatePrimaryKey: {
    code: 'SLC1030',
    severity: 'error',
    message: 'a source or sink has at most one PRIMARY KEY',
    help: 'list every key column in one PRIMARY KEY (col, …) NOT ENFORCED clause',
  },
  PrimaryKeyEnforced: {
    code: 'SLC1031',
    severity: 'error',
    message: 'PRIMARY KEY must be declared NOT ENFORCED',
    help: 'write PRIMARY KEY (…) NOT ENFORCED: as in Flink, Sluice does not check that keys are unique, it uses the key to upsert and delete',
  },
  UnsupportedFunctionLanguage: {
    code: 'SLC1040',
    severity: 'error',
    message: "CREATE FUNCTION's LANGUAGE {language} is not supported",
    help: 'functions are JavaScript ES modules: write LANGUAGE JAVASCRIPT, or leave the LANGUAGE clause out',
  },
  TtlOnTable: {
    code: 'SLC1050',
    severity: 'error',
    message: '{what} cannot have a state TTL',
    help: "a source's read positions and a sink's pending commits must never expire; write TTL after the UID of a JOIN, AGGREGATE or DEDUPLICATE step",
  },
} as const satisfies Record<string, DiagnosticDefinition>;
