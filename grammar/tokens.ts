import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * The tokens of the `.pipe` language.
 *
 * Keywords are case-insensitive. Only words that would make the grammar ambiguous are reserved ("hard"
 * keywords); every other keyword is "soft": its token type is in the `Identifier` category, so wherever
 * the parser expects a name it also accepts `window`, `first`, `timestamp`, `source`, `left`, … .
 * Type names, interval units and window functions (TUMBLE, HOP, SESSION) are plain identifiers checked
 * by the CST→AST builder, so `day`, `time` or `hour` stay usable as column names.
 */

// ---- Names and literals -------------------------------------------------------------------------------

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

/** `` `any text` `` with `` `` `` for a back quote; in the `Identifier` category so it is accepted wherever a name is. */
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /`(?:[^`]|``)*`/,
  categories: [Identifier],
  label: 'a name',
});

/** A back-quoted identifier running to the end of the input; reported by `parse()`, parsed as a name. */
export const UnterminatedQuotedIdentifier = createToken({
  name: 'UnterminatedQuotedIdentifier',
  pattern: /`(?:[^`]|``)*/,
  categories: [Identifier],
  label: 'a name',
});

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, label: 'a string' });

/** A string running to the end of the input; reported by `parse()`, parsed as a string so parsing goes on. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^']|'')*/,
  categories: [StringLiteral],
  label: 'a string',
});

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});

// ---- Operator categories ----------------------------------------------------------------------------

// Abstract categories (no pattern of their own) grouping operators by where they may stand; precedence is
// applied by the CST→AST builder.
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'an operator' });
export const ArithmeticOperator = createToken({ name: 'ArithmeticOperator', pattern: Lexer.NA, label: 'an arithmetic operator' });
export const PrefixOperator = createToken({ name: 'PrefixOperator', pattern: Lexer.NA, label: "NOT, '+' or '-'" });
const comparison = [BinaryOperator];
const arithmetic = [BinaryOperator, ArithmeticOperator];

// ---- Keywords -----------------------------------------------------------------------------------------

export function keyword(word: string, soft: boolean, categories: TokenType[] = []): TokenType {
  return createToken({
    name: word.charAt(0) + word.slice(1).toLowerCase(),
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    label: word,
    categories: soft ? [Identifier, ...categories] : categories,
  });
}

// Reserved: statement and clause starters, expression keywords, and words whose use as a name would be
// ambiguous (CASE x WHEN …, WATERMARK FOR …, f(DISTINCT x)).
export const SetKeyword = keyword('SET', false);
export const Create = keyword('CREATE', false);
export const Insert = keyword('INSERT', false);
export const Into = keyword('INTO', false);
export const With = keyword('WITH', false);
export const As = keyword('AS', false);
export const For = keyword('FOR', false);
export const From = keyword('FROM', false);
export const Where = keyword('WHERE', false);
export const Select = keyword('SELECT', false);
export const Group = keyword('GROUP', false);
export const By = keyword('BY', false);
export const Join = keyword('JOIN', false);
export const On = keyword('ON', false);
export const Union = keyword('UNION', false);
export const All = keyword('ALL', false);
export const And = keyword('AND', false, [BinaryOperator]);
export const Or = keyword('OR', false, [BinaryOperator]);
export const Not = keyword('NOT', false, [PrefixOperator]);
export const Is = keyword('IS', false);
export const Null = keyword('NULL', false);
export const True = keyword('TRUE', false);
export const False = keyword('FALSE', false);
export const Between = keyword('BETWEEN', false);
export const In = keyword('IN', false);
export const Like = keyword('LIKE', false);
export const Case = keyword('CASE', false);
export const When = keyword('WHEN', false);
export const Then = keyword('THEN', false);
export const Else = keyword('ELSE', false);
export const End = keyword('END', false);
export const Cast = keyword('CAST', false);
export const TryCast = keyword('TRY_CAST', false);
export const Distinct = keyword('DISTINCT', false);
export const Interval = keyword('INTERVAL', false);

// Soft: only meaningful right after `CREATE`, `|>`, a step or `KEEP`, where no name can stand.
export const Source = keyword('SOURCE', true);
export const Sink = keyword('SINK', true);
export const View = keyword('VIEW', true);
export const Watermark = keyword('WATERMARK', true);
export const Uid = keyword('UID', true);
/** `UID 'x' TTL INTERVAL …`: how long a step keeps a key's state after its last write (Flink's STATE_TTL hint). */
export const Ttl = keyword('TTL', true);
export const Extend = keyword('EXTEND', true);
export const Window = keyword('WINDOW', true);
export const Aggregate = keyword('AGGREGATE', true);
export const Left = keyword('LEFT', true);
export const Outer = keyword('OUTER', true);
export const Inner = keyword('INNER', true);
export const Deduplicate = keyword('DEDUPLICATE', true);
export const Keep = keyword('KEEP', true);
export const First = keyword('FIRST', true);
export const Last = keyword('LAST', true);
export const Process = keyword('PROCESS', true);
export const Partition = keyword('PARTITION', true);
/** `PRIMARY KEY (…) NOT ENFORCED` in a source's or sink's column list (Flink's syntax). */
export const Primary = keyword('PRIMARY', true);
export const Key = keyword('KEY', true);
export const Enforced = keyword('ENFORCED', true);
/** `col TYPE METADATA [FROM 'key']`: a source column filled from the message's metadata (Flink's Kafka connector). */
export const Metadata = keyword('METADATA', true);
/** `TIMESTAMP '…'` is a literal; `timestamp` alone is a column and `TIMESTAMP(3)` a type name. */
export const Timestamp = keyword('TIMESTAMP', true);
/** `CREATE FUNCTION name AS 'module.js' [LANGUAGE JAVASCRIPT]` (Flink SQL's statement). */
export const FunctionKeyword = keyword('FUNCTION', true);
export const Language = keyword('LANGUAGE', true);

/** Every keyword of `.pipe`; a grammar that extends the language (the Flink SQL importer) adds its own. */
export const keywords: readonly TokenType[] = [
  SetKeyword, Create, Insert, Into, With, As, For, From, Where, Select, Group, By, Join, On, Union, All,
  And, Or, Not, Is, Null, True, False, Between, In, Like, Case, When, Then, Else, End, Cast, TryCast, Distinct, Interval,
  Source, Sink, View, Watermark, Uid, Ttl, Extend, Window, Aggregate, Left, Outer, Inner, Deduplicate, Keep, First, Last,
  Process, Partition, Primary, Key, Enforced, Timestamp, Metadata, FunctionKeyword, Language,
];

/** The reserved words, upper-cased: a name spelled like one of these must be back-quoted. */
export const reservedWords: ReadonlySet<string> = new Set(
  keywords.filter((k) => !(k.CATEGORIES ?? []).includes(Identifier)).map((k) => String(k.LABEL)),
);

// ---- Punctuation and operators ------------------------------------------------------------------------


export const PipeArrow = createToken({ name: 'PipeArrow', pattern: '|>', label: "'|>'" });
export const Concat = createToken({ name: 'Concat', pattern: '||', categories: arithmetic, label: "'||'" });
export const NotEquals = createToken({ name: 'NotEquals', pattern: /<>|!=/, categories: comparison, label: "'<>'" });
export const LessOrEqual = createToken({ name: 'LessOrEqual', pattern: '<=', categories: comparison, label: "'<='" });
export const GreaterOrEqual = createToken({ name: 'GreaterOrEqual', pattern: '>=', categories: comparison, label: "'>='" });
export const Less = createToken({ name: 'Less', pattern: '<', categories: comparison, label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: '>', categories: comparison, label: "'>'" });
export const Equals = createToken({ name: 'Equals', pattern: '=', categories: comparison, label: "'='" });
export const Plus = createToken({ name: 'Plus', pattern: '+', categories: [...arithmetic, PrefixOperator], label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: '-', categories: [...arithmetic, PrefixOperator], label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: '*', categories: arithmetic, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: '/', categories: arithmetic, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: '%', categories: arithmetic, label: "'%'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: "'.'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: ';', label: "';'" });

// ---- Skipped ------------------------------------------------------------------------------------------

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
/** Kept out of the token stream but collected in the `invalid` group so `parse()` can report it. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/, group: 'invalid' });

/**
 * Every token, in matching order (the lexer takes the first pattern that matches):
 * 1. skipped whitespace and comments — before `-` and `/`, which begin a comment's opener;
 * 2. literals — a closed string or quoted name before its unterminated variant;
 * 3. keywords, longest first so that `IN` cannot claim the start of `INSERT` or `INTERVAL`
 *    (`longer_alt` then turns `inserted` or `window_start` back into an identifier);
 * 4. `Identifier`, after every keyword;
 * 5. operators, two-character ones before their one-character prefixes (`|>` `||` `<>` `<=` `>=`);
 * 6. the operator categories, which match no text but must be known to the lexer and the parser.
 */
export const allTokens: readonly TokenType[] = tokensWith([]);

/** The token list in the order above, with `extraKeywords` (a grammar extending `.pipe`'s) among the keywords. */
export function tokensWith(extraKeywords: readonly TokenType[]): TokenType[] {
  return [
    WhiteSpace,
    LineComment,
    BlockComment,
    UnterminatedComment,
    StringLiteral,
    UnterminatedString,
    QuotedIdentifier,
    UnterminatedQuotedIdentifier,
    NumberLiteral,
    ...[...keywords, ...extraKeywords].sort((a, b) => String(b.LABEL).length - String(a.LABEL).length),
    Identifier,
    PipeArrow,
    Concat,
    NotEquals,
    LessOrEqual,
    GreaterOrEqual,
    Less,
    Greater,
    Equals,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    LParen,
    RParen,
    Comma,
    Dot,
    Semicolon,
    BinaryOperator,
    ArithmeticOperator,
    PrefixOperator,
  ];
}

/**
 * Built once. Chevrotain's checks of the token set cost a third of `sluice compile`'s start-up, so the lexer
 * in use skips them; test/grammar/grammar-checks.test.ts runs them on every test run instead.
 */
export function createPipeLexer(options: { readonly validate: boolean }): Lexer {
  return new Lexer([...allTokens], { ensureOptimizations: true, skipValidations: !options.validate });
}

export const pipeLexer = createPipeLexer({ validate: false });
