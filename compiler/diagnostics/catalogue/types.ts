import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC3xxx: column resolution, types and expressions.
 * `{suggestion}` arguments are a complete "did you mean 'x'? " phrase, or '' when nothing is close.
 */
export const typeDiagnostics = {
  UnknownColumn: {
    code: 'SLC3001',
    severity: 'error',
    message: "unknown column '{name}'",
    help: '{suggestion}the columns here are: {available}',
  },
  UnknownQualifier: {
    code: 'SLC3002',
    severity: 'error',
    message: "unknown stream or alias '{qualifier}' in '{qualifier}.{name}'",
    help: '{suggestion}the names that qualify columns here are: {qualifiers}',
  },
  AmbiguousColumn: {
    code: 'SLC3003',
    severity: 'error',
    message: "column '{name}' is ambiguous: it exists in {where}",
    help: 'qualify it with the stream name or alias: {example}',
  },
  OperatorTypeMismatch: {
    code: 'SLC3004',
    severity: 'error',
    message: "operator '{operator}' cannot be applied to {left} and {right}",
    help: "'{operator}' needs {expected}; convert an operand with CAST(… AS <type>) if that is what you mean",
  },
  UnaryOperatorTypeMismatch: {
    code: 'SLC3005',
    severity: 'error',
    message: "operator '{operator}' cannot be applied to {type}",
    help: "'{operator}' needs {expected}",
  },
  UnknownFunction: {
    code: 'SLC3006',
    severity: 'error',
    message: "unknown function '{name}'",
    help: '{suggestion}to call your own JavaScript function, register it as a scalar UDF through the Node API (`compile(text, { functions: { scalars: [...] } })`) or the CLI option --functions <module>',
  },
  WrongArgumentCount: {
    code: 'SLC3007',
    severity: 'error',
    message: '{name} takes {expected}, but {actual} given',
    help: 'the signature is {signature}',
  },
  WrongArgumentType: {
    code: 'SLC3008',
    severity: 'error',
    message: 'argument {position} of {name} must be {expected}, but it is {actual}',
    help: 'the signature is {signature}; convert the argument with CAST(… AS <type>) if that is what you mean',
  },
  NonBooleanCondition: {
    code: 'SLC3009',
    severity: 'error',
    message: '{what} must be BOOLEAN, but it is {type}',
    help: 'write a comparison or a test, e.g. `{example} IS NOT NULL`',
  },
  UnknownType: {
    code: 'SLC3010',
    severity: 'error',
    message: "unknown type '{name}'",
    help: '{suggestion}the types are BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), STRING (or VARCHAR) and TIMESTAMP(3)',
  },
  BadTypeParameters: {
    code: 'SLC3011',
    severity: 'error',
    message: '{name} does not take the parameters ({params})',
    help: 'write {accepted}',
  },
  BadDecimalParameters: {
    code: 'SLC3012',
    severity: 'error',
    message: 'DECIMAL({params}) is not a valid decimal type',
    help: 'precision must be between 1 and 38 and scale between 0 and the precision, e.g. DECIMAL(10, 2)',
  },
  BadTimestampPrecision: {
    code: 'SLC3013',
    severity: 'error',
    message: 'TIMESTAMP({precision}) is not supported',
    help: 'timestamps have millisecond precision: write TIMESTAMP(3) (or just TIMESTAMP)',
  },
  BadIntervalLiteral: {
    code: 'SLC3014',
    severity: 'error',
    message: "invalid interval literal '{value}' {unit}",
    help: "write a number of units, e.g. INTERVAL '10' SECOND or INTERVAL '1.5' SECOND; the smallest step is a millisecond",
  },
  BadTimestampLiteral: {
    code: 'SLC3015',
    severity: 'error',
    message: "invalid timestamp literal '{value}'{reason}",
    help: "write 'yyyy-MM-dd HH:mm:ss[.SSS]' (UTC), e.g. TIMESTAMP '2024-01-31 12:00:00.000'",
  },
  NumberLiteralOutOfRange: {
    code: 'SLC3016',
    severity: 'error',
    message: 'number literal {text} is out of range for {type}',
    help: '{help}',
  },
  AggregateOutsideAggregate: {
    code: 'SLC3017',
    severity: 'error',
    message: 'aggregate function {name} is only allowed as an item of an AGGREGATE step',
    help: "aggregate in a step of its own: `|> AGGREGATE {name}(…) AS name [GROUP BY …] UID '…'`, then use the result by its name",
  },
  NoCommonType: {
    code: 'SLC3018',
    severity: 'error',
    message: '{what} have no common type: {types}',
    help: 'make them agree, e.g. with CAST(… AS {suggestedType})',
  },
  MixedInList: {
    code: 'SLC3019',
    severity: 'error',
    message: 'IN list value of type {actual} cannot be compared with {expected}',
    help: 'every value of an IN list must be comparable with the tested expression; convert it with CAST(… AS {expected})',
  },
  UntypedNull: {
    code: 'SLC3020',
    severity: 'error',
    message: 'the type of NULL cannot be inferred here',
    help: 'give it a type, e.g. CAST(NULL AS INT)',
  },
  InvalidCast: {
    code: 'SLC3021',
    severity: 'error',
    message: 'cannot CAST {from} to {to}',
    help: '{help}',
  },
  InvalidRegex: {
    code: 'SLC3022',
    severity: 'error',
    message: "invalid regular expression '{pattern}': {reason}",
    help: 'regular expressions use JavaScript syntax (close to Java\'s); escape special characters with a backslash',
  },
  InvalidDateTimePattern: {
    code: 'SLC3023',
    severity: 'error',
    message: "invalid date-time pattern '{pattern}': {reason}",
    help: "patterns use Java's letters: yyyy MM dd HH mm ss SSS (also yy M d H h m s a E D); quote text with '…'",
  },
  ScalarCallWithStarOrDistinct: {
    code: 'SLC3024',
    severity: 'error',
    message: '{form} is only allowed in aggregate calls, not in {name}(…)',
    help: 'remove it; COUNT(*) and DISTINCT belong to the aggregates of an AGGREGATE step',
  },
  ConstantArgumentRequired: {
    code: 'SLC3025',
    severity: 'error',
    message: 'argument {position} of {name} must be a constant',
    help: 'the signature is {signature}; write a literal, e.g. {example}',
  },
  NestedAggregate: {
    code: 'SLC3026',
    severity: 'error',
    message: 'aggregate function {name} cannot be nested inside another aggregate',
    help: 'aggregate in two steps: a first AGGREGATE computes the inner value, a second one aggregates its result',
  },
  BadAggregateCall: {
    code: 'SLC3027',
    severity: 'error',
    message: '{name} takes {expected}',
    help: 'e.g. COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM(x), AVG(x), MIN(x), MAX(x), FIRST_VALUE(x), LAST_VALUE(x)',
  },
  ExpressionTooDeep: {
    code: 'SLC3028',
    severity: 'error',
    message: 'expression nested too deeply ({depth} levels, at most {max})',
    help: 'compute parts of it in EXTEND steps; a chain of one operator (a + b + c, p OR q OR r) counts as one level however long, so drop parentheses that only group such a chain',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
