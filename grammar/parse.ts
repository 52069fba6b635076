import type { IRecognitionException, IToken } from 'chevrotain';
import { EOF, type Lexer } from 'chevrotain';
import { syntaxDiagnostics } from '../compiler/diagnostics/catalogue/syntax.js';
import { DiagnosticBag, type Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { Script, Span } from './ast/index.js';
import { buildScript } from './cst-to-ast.js';
import { reportDeepBrackets, withinDepth } from './expression-depth.js';
import { decodeSyntaxError, pipeParser, type PipeParser } from './parser.js';
import { LParen, pipeLexer, RParen, UnterminatedComment, UnterminatedQuotedIdentifier, UnterminatedString } from './tokens.js';

export interface ParseResult {
  readonly value: Script;
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses a `.pipe` file. Never throws: lexing and parsing errors become diagnostics (sorted by position),
 * recovery goes on after each error, and statements too broken to build are left out of `value`.
 */
export function parse(text: string, file = '<input>'): ParseResult {
  const empty: Script = { kind: 'Script', statements: [], span: { offset: 0, length: text.length } };
  return parseWith(text, file, {
    lexer: pipeLexer,
    parser: pipeParser,
    empty,
    build: (tokens, bag) => {
      const cst = pipeParser.parseScript(tokens);
      const built = buildScript(cst, bag, text.length, pipeParser.errors.length > 0);
      return { ...built, statements: withinDepth(built.statements, bag) };
    },
  });
}

/** A grammar for `parseWith`: `.pipe`'s, or one extending it (the Flink SQL importer's). */
export interface Grammar<T> {
  readonly lexer: Lexer;
  readonly parser: PipeParser;
  /** What `value` is when nothing can be built. */
  readonly empty: T;
  /** Parses the tokens with `parser` and builds the tree, reporting what the builder checks into `bag`. */
  readonly build: (tokens: IToken[], bag: DiagnosticBag) => T;
}

/** Lexes, parses and builds with `grammar`, turning every lexing and parsing error into a catalogued diagnostic. */
export function parseWith<T>(text: string, file: string, grammar: Grammar<T>): { readonly value: T; readonly diagnostics: Diagnostic[] } {
  const bag = new DiagnosticBag(file);
  const lexed = grammar.lexer.tokenize(text);
  for (const error of lexed.errors) {
    const char = String.fromCodePoint(text.codePointAt(error.offset) ?? 0);
    bag.report(syntaxDiagnostics.UnexpectedCharacter, { offset: error.offset, length: error.length }, { char });
  }
  const unterminated = reportUnterminated(bag, [...lexed.tokens, ...(lexed.groups['invalid'] ?? [])]);
  if (reportDeepBrackets(lexed.tokens, bag)) return { value: grammar.empty, diagnostics: sorted(bag) };

  let value: T;
  try {
    value = grammar.build(lexed.tokens, bag);
  } catch (error) {
    // Recursive descent can still run out of stack when called deep in a caller's stack; that is not a crash.
    if (!(error instanceof RangeError)) throw error;
    bag.report(syntaxDiagnostics.NestingTooDeep, deepestParenthesis(lexed.tokens));
    return { value: grammar.empty, diagnostics: bag.items };
  }
  const parser = grammar.parser;
  for (const error of parser.errors) {
    // Past an unterminated string or comment, "found the end of the file" only repeats the lexer's error.
    if (unterminated && error.token.tokenType === EOF) continue;
    const { name, args } = decodeSyntaxError(error.message);
    const span = name === 'MissingPipe'
      ? tokenSpan(error.token, text)
      : errorSpan(error, text, parser.insertedBefore.has(error.token));
    bag.report(syntaxDiagnostics[name], span, args);
  }

  return { value, diagnostics: sorted(bag) };
}

function sorted(bag: DiagnosticBag): Diagnostic[] {
  return bag.items.slice().sort((a, b) => a.span.offset - b.span.offset);
}

/** Reports strings, quoted names and comments left open; true if there was one. */
function reportUnterminated(bag: DiagnosticBag, tokens: readonly IToken[]): boolean {
  let found = false;
  for (const token of tokens) {
    const definition =
      token.tokenType === UnterminatedString ? syntaxDiagnostics.UnterminatedString
      : token.tokenType === UnterminatedQuotedIdentifier ? syntaxDiagnostics.UnterminatedQuotedIdentifier
      : token.tokenType === UnterminatedComment ? syntaxDiagnostics.UnterminatedComment
      : undefined;
    if (definition === undefined) continue;
    bag.report(definition, { offset: token.startOffset, length: 1 });
    found = true;
  }
  return found;
}

function isReal(token: IToken | undefined): token is IToken {
  return token !== undefined && token.tokenType !== EOF && Number.isFinite(token.startOffset);
}

function tokenSpan(token: IToken, text: string): Span {
  return isReal(token) ? { offset: token.startOffset, length: token.image.length } : { offset: text.length, length: 0 };
}

/**
 * Where a parse error points. A token that recovery had to invent belongs just after the previous real token,
 * and so does anything expected before the end of the file or before a token on a later line; otherwise the
 * error points at the offending token.
 */
function errorSpan(error: IRecognitionException, text: string, tokenWasMissing: boolean): Span {
  const previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
  const previousEnd = isReal(previous) ? previous.startOffset + previous.image.length : undefined;
  const token = error.token;
  const onSameLine = isReal(token) && (previousEnd === undefined || !/[\r\n]/.test(text.slice(previousEnd, token.startOffset)));
  if (onSameLine && !(tokenWasMissing && previousEnd !== undefined)) return tokenSpan(token, text);
  return { offset: previousEnd ?? text.length, length: 0 };
}

/** The first `(` at the greatest nesting depth, where a too-deep expression is best shown. */
function deepestParenthesis(tokens: readonly IToken[]): Span {
  let depth = 0;
  let deepest = 0;
  let at: Span = { offset: 0, length: 0 };
  for (const token of tokens) {
    if (token.tokenType === RParen) depth--;
    if (token.tokenType !== LParen) continue;
    depth++;
    if (depth > deepest) {
      deepest = depth;
      at = { offset: token.startOffset, length: 1 };
    }
  }
  return at;
}
