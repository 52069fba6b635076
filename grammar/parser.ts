import { CstParser, EOF, tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import type { syntaxDiagnostics } from '../compiler/diagnostics/catalogue/syntax.js';
import type { ScriptCstNode } from './cst.js';
import { LazyLLkLookaheadStrategy } from './lazy-lookahead.js';
import * as t from './tokens.js';

/**
 * The concrete grammar of `.pipe` files. It builds a CST only; `cst-to-ast.ts` turns that into the AST.
 * `ERR_MSG` on an alternation names what was expected there (see `SyntaxErrorKey`), which the error
 * message provider below turns into a catalogued diagnostic.
 */
export class PipeParser extends CstParser {
  /**
   * `validate`: run chevrotain's grammar checks (ambiguities, left recursion), which start-up skips (see below).
   * `tokens`: a grammar that extends this one (the Flink SQL importer's) passes its larger vocabulary and runs
   * `performSelfAnalysis` itself once its own rules are defined, as chevrotain's grammar inheritance requires.
   */
  constructor(options: { readonly validate: boolean }, tokens: readonly TokenType[] = t.allTokens) {
    super([...tokens], {
      recoveryEnabled: true,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: syntaxErrorMessageProvider,
      skipValidations: !options.validate,
      lookaheadStrategy: new LazyLLkLookaheadStrategy(),
    });
    if (new.target === PipeParser) this.performSelfAnalysis();
  }

  /** The tokens before which error recovery invented a missing token; a new parse starts with none. */
  readonly insertedBefore = new Set<IToken>();

  /** Parses a whole file's tokens; errors are then in `errors`. */
  parseScript(tokens: IToken[]): ScriptCstNode {
    this.insertedBefore.clear();
    this.input = tokens;
    return this.script() as ScriptCstNode;
  }

  protected override getTokenToInsert(tokenType: TokenType): IToken {
    this.insertedBefore.add(this.LA(1));
    return super.getTokenToInsert(tokenType);
  }

  // ---- Statements ----------------------------------------------------------------------------------

  readonly script = this.RULE('script', () => {
    this.MANY(() => this.SUBRULE(this.statement, { LABEL: 'statements' }));
  });

  private readonly statement = this.RULE('statement', () => {
    this.OR({
      ERR_MSG: 'statement' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.SUBRULE(this.setStatement) },
        { ALT: () => this.SUBRULE(this.createStatement) },
        { ALT: () => this.SUBRULE(this.insertStatement) },
      ],
    });
    this.CONSUME(t.Semicolon);
  });

  protected readonly setStatement = this.RULE('setStatement', () => {
    this.CONSUME(t.SetKeyword);
    this.CONSUME(t.StringLiteral, { LABEL: 'key' });
    this.CONSUME(t.Equals);
    this.CONSUME2(t.StringLiteral, { LABEL: 'value' });
  });

  private readonly createStatement = this.RULE('createStatement', () => {
    this.CONSUME(t.Create);
    this.OR({
      ERR_MSG: 'create' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.SUBRULE(this.createSource) },
        { ALT: () => this.SUBRULE(this.createSink) },
        { ALT: () => this.SUBRULE(this.createView) },
        { ALT: () => this.SUBRULE(this.createFunction) },
      ],
    });
  });

  private readonly createSource = this.RULE('createSource', () => {
    this.CONSUME(t.Source);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.SUBRULE(this.tableElements);
    this.SUBRULE(this.withOptions);
    this.OPTION(() => this.SUBRULE(this.uidClause));
  });

  private readonly createSink = this.RULE('createSink', () => {
    this.CONSUME(t.Sink);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.tableElements));
    this.SUBRULE(this.withOptions);
    this.OPTION2(() => this.SUBRULE(this.uidClause));
  });

  private readonly createView = this.RULE('createView', () => {
    this.CONSUME(t.View);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.As);
    this.SUBRULE(this.pipeline);
  });

  /** `FUNCTION name AS 'module.js' [LANGUAGE JAVASCRIPT]`; the language name is checked by the CST→AST builder. */
  private readonly createFunction = this.RULE('createFunction', () => {
    this.CONSUME(t.FunctionKeyword);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.As);
    this.CONSUME(t.StringLiteral, { LABEL: 'module' });
    this.OPTION(() => {
      this.CONSUME(t.Language);
      this.CONSUME2(t.Identifier, { LABEL: 'language' });
    });
  });

  private readonly insertStatement = this.RULE('insertStatement', () => {
    this.CONSUME(t.Insert);
    this.CONSUME(t.Into);
    this.CONSUME(t.Identifier, { LABEL: 'sink' });
    this.SUBRULE(this.pipeline);
  });

  private readonly tableElements = this.RULE('tableElements', () => {
    this.CONSUME(t.LParen);
    this.SUBRULE(this.tableElement, { LABEL: 'elements' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.tableElement, { LABEL: 'elements' });
    });
    this.CONSUME(t.RParen);
  });

  protected readonly tableElement = this.RULE('tableElement', () => {
    this.OR({
      ERR_MSG: 'column' satisfies SyntaxErrorKey,
      DEF: [
        // `watermark` alone may name a column; only `WATERMARK FOR` starts the clause.
        { GATE: () => this.LA(2).tokenType === t.For, ALT: () => this.SUBRULE(this.watermarkDef) },
        // Likewise `primary` may name a column; `PRIMARY KEY` starts the key.
        { GATE: () => this.LA(1).tokenType === t.Primary && this.LA(2).tokenType === t.Key, ALT: () => this.SUBRULE(this.primaryKeyDef) },
        { ALT: () => this.SUBRULE(this.columnDef) },
      ],
    });
  });

  protected readonly columnDef = this.RULE('columnDef', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.SUBRULE(this.typeRef);
    this.OPTION(() => {
      this.CONSUME(t.Not);
      this.CONSUME(t.Null);
    });
    this.OPTION2(() => {
      this.CONSUME(t.Metadata);
      this.OPTION3(() => {
        this.CONSUME(t.From);
        this.CONSUME(t.StringLiteral, { LABEL: 'metadataKey' });
      });
    });
  });

  /** `PRIMARY KEY (col, …) NOT ENFORCED`; a missing NOT ENFORCED parses and is reported by the AST builder. */
  protected readonly primaryKeyDef = this.RULE('primaryKeyDef', () => {
    this.CONSUME(t.Primary);
    this.CONSUME(t.Key);
    this.CONSUME(t.LParen);
    this.CONSUME(t.Identifier, { LABEL: 'columns' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.CONSUME2(t.Identifier, { LABEL: 'columns' });
    });
    this.CONSUME(t.RParen);
    this.OPTION(() => {
      this.CONSUME(t.Not);
      this.CONSUME(t.Enforced);
    });
  });

  protected readonly watermarkDef = this.RULE('watermarkDef', () => {
    this.CONSUME(t.Watermark);
    this.CONSUME(t.For);
    this.CONSUME(t.Identifier, { LABEL: 'column' });
    this.CONSUME(t.As);
    this.SUBRULE(this.expression);
  });

  protected readonly typeRef = this.RULE('typeRef', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.CONSUME(t.NumberLiteral, { LABEL: 'params' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.CONSUME2(t.NumberLiteral, { LABEL: 'params' });
      });
      this.CONSUME(t.RParen);
    });
  });

  protected readonly withOptions = this.RULE('withOptions', () => {
    this.CONSUME(t.With);
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.optionEntry, { LABEL: 'entries' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.optionEntry, { LABEL: 'entries' });
      });
    });
    this.CONSUME(t.RParen);
  });

  protected readonly optionEntry = this.RULE('optionEntry', () => {
    this.CONSUME(t.StringLiteral, { LABEL: 'key' });
    this.CONSUME(t.Equals);
    this.CONSUME2(t.StringLiteral, { LABEL: 'value' });
  });

  private readonly uidClause = this.RULE('uidClause', () => {
    this.CONSUME(t.Uid);
    this.CONSUME(t.StringLiteral, { LABEL: 'value' });
    this.OPTION(() => {
      this.CONSUME(t.Ttl);
      this.SUBRULE(this.intervalLiteral, { LABEL: 'ttl' });
    });
  });

  // ---- Pipelines and steps -------------------------------------------------------------------------

  private readonly pipeline = this.RULE('pipeline', () => {
    this.CONSUME(t.From);
    this.SUBRULE(this.streamRef, { LABEL: 'from' });
    this.MANY(() => this.SUBRULE(this.step, { LABEL: 'steps' }));
  });

  protected readonly streamRef = this.RULE('streamRef', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.As);
      this.CONSUME2(t.Identifier, { LABEL: 'alias' });
    });
  });

  private readonly step = this.RULE('step', () => {
    this.CONSUME(t.PipeArrow);
    this.OR({
      ERR_MSG: 'step' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.SUBRULE(this.whereStep) },
        { ALT: () => this.SUBRULE(this.selectStep) },
        { ALT: () => this.SUBRULE(this.extendStep) },
        { ALT: () => this.SUBRULE(this.windowStep) },
        { ALT: () => this.SUBRULE(this.aggregateStep) },
        { ALT: () => this.SUBRULE(this.joinStep) },
        { ALT: () => this.SUBRULE(this.unionStep) },
        { ALT: () => this.SUBRULE(this.deduplicateStep) },
        { ALT: () => this.SUBRULE(this.processStep) },
      ],
    });
    this.OPTION(() => this.SUBRULE(this.uidClause));
  });

  private readonly whereStep = this.RULE('whereStep', () => {
    this.CONSUME(t.Where);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
  });

  private readonly selectStep = this.RULE('selectStep', () => {
    this.CONSUME(t.Select);
    this.SUBRULE(this.selectItem, { LABEL: 'items' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.selectItem, { LABEL: 'items' });
    });
  });

  private readonly selectItem = this.RULE('selectItem', () => {
    this.OR({
      ERR_MSG: 'expression' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.CONSUME(t.Star) },
        {
          GATE: () => this.LA(2).tokenType === t.Dot && this.LA(3).tokenType === t.Star,
          ALT: () => {
            this.CONSUME(t.Identifier, { LABEL: 'qualifier' });
            this.CONSUME(t.Dot);
            this.CONSUME2(t.Star);
          },
        },
        { ALT: () => this.SUBRULE(this.aliasedExpression) },
      ],
    });
  });

  /** `expr [AS name]`: a SELECT item or a GROUP BY key. */
  protected readonly aliasedExpression = this.RULE('aliasedExpression', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(t.As);
      this.CONSUME(t.Identifier, { LABEL: 'alias' });
    });
  });

  /** `expr AS name`: an EXTEND item or an aggregate. */
  private readonly namedExpression = this.RULE('namedExpression', () => {
    this.SUBRULE(this.expression);
    this.CONSUME(t.As);
    this.CONSUME(t.Identifier, { LABEL: 'alias' });
  });

  private readonly extendStep = this.RULE('extendStep', () => {
    this.CONSUME(t.Extend);
    this.SUBRULE(this.namedExpression, { LABEL: 'items' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.namedExpression, { LABEL: 'items' });
    });
  });

  private readonly windowStep = this.RULE('windowStep', () => {
    this.CONSUME(t.Window);
    this.CONSUME(t.Identifier, { LABEL: 'function' });
    this.CONSUME(t.LParen);
    this.SUBRULE(this.expression, { LABEL: 'args' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.expression, { LABEL: 'args' });
    });
    this.CONSUME(t.RParen);
  });

  private readonly aggregateStep = this.RULE('aggregateStep', () => {
    this.CONSUME(t.Aggregate);
    this.SUBRULE(this.namedExpression, { LABEL: 'aggregates' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.namedExpression, { LABEL: 'aggregates' });
    });
    this.OPTION(() => {
      this.CONSUME(t.Group);
      this.CONSUME(t.By);
      this.SUBRULE(this.aliasedExpression, { LABEL: 'groupBy' });
      this.MANY2(() => {
        this.CONSUME2(t.Comma);
        this.SUBRULE2(this.aliasedExpression, { LABEL: 'groupBy' });
      });
    });
  });

  private readonly joinStep = this.RULE('joinStep', () => {
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Left);
            this.OPTION2(() => this.CONSUME(t.Outer));
          },
        },
        { ALT: () => this.CONSUME(t.Inner) },
      ]);
    });
    this.CONSUME(t.Join);
    this.SUBRULE(this.streamRef, { LABEL: 'right' });
    this.CONSUME(t.On);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
  });

  private readonly unionStep = this.RULE('unionStep', () => {
    this.CONSUME(t.Union);
    this.CONSUME(t.All);
    this.CONSUME(t.Identifier, { LABEL: 'other' });
  });

  private readonly deduplicateStep = this.RULE('deduplicateStep', () => {
    this.CONSUME(t.Deduplicate);
    this.CONSUME(t.By);
    this.SUBRULE(this.expression, { LABEL: 'keys' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.expression, { LABEL: 'keys' });
    });
    this.OPTION(() => {
      this.CONSUME(t.Keep);
      this.OR([{ ALT: () => this.CONSUME(t.First) }, { ALT: () => this.CONSUME(t.Last) }]);
    });
  });

  private readonly processStep = this.RULE('processStep', () => {
    this.CONSUME(t.Process);
    this.CONSUME(t.Identifier, { LABEL: 'function' });
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: 'args' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'args' });
      });
    });
    this.CONSUME(t.RParen);
    this.OPTION2(() => {
      this.CONSUME(t.Partition);
      this.CONSUME(t.By);
      this.SUBRULE3(this.expression, { LABEL: 'partitionBy' });
      this.MANY2(() => {
        this.CONSUME2(t.Comma);
        this.SUBRULE4(this.expression, { LABEL: 'partitionBy' });
      });
    });
  });

  // ---- Expressions --------------------------------------------------------------------------------
  //
  // An expression is kept flat: an operand, then a list of tails (a binary operator and its right operand, or a
  // predicate suffix such as IS NULL or BETWEEN). The CST→AST builder applies precedence. One rule per
  // precedence level would build ten CST nodes per leaf, and CST building dominates the cost of parsing.

  protected readonly expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => this.SUBRULE(this.expressionTail, { LABEL: 'tails' }));
  });

  private readonly expressionTail = this.RULE('expressionTail', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.BinaryOperator, { LABEL: 'operator' });
          this.SUBRULE(this.operand);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Is);
          this.OPTION(() => this.CONSUME(t.Not));
          this.CONSUME(t.Null);
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => this.CONSUME2(t.Not));
          this.OR2([
            {
              ALT: () => {
                // BETWEEN's bounds stop at the AND that separates them.
                this.CONSUME(t.Between);
                this.SUBRULE(this.arithmetic, { LABEL: 'low' });
                this.CONSUME(t.And);
                this.SUBRULE2(this.arithmetic, { LABEL: 'high' });
              },
            },
            {
              ALT: () => {
                this.CONSUME(t.In);
                this.CONSUME(t.LParen);
                this.SUBRULE(this.expression, { LABEL: 'list' });
                this.MANY(() => {
                  this.CONSUME(t.Comma);
                  this.SUBRULE2(this.expression, { LABEL: 'list' });
                });
                this.CONSUME(t.RParen);
              },
            },
            {
              ALT: () => {
                this.CONSUME(t.Like);
                this.SUBRULE3(this.arithmetic, { LABEL: 'pattern' });
              },
            },
          ]);
        },
      },
    ]);
  });

  /** Operands joined by `+ - || * / %` only: the bounds of BETWEEN and the pattern of LIKE. */
  private readonly arithmetic = this.RULE('arithmetic', () => {
    this.SUBRULE(this.operand, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(t.ArithmeticOperator, { LABEL: 'operators' });
      this.SUBRULE2(this.operand, { LABEL: 'operands' });
    });
  });

  /** Prefix operators (`NOT`, `-`, `+`) and a primary: a literal, a name, a call, or a parenthesised expression. */
  private readonly operand = this.RULE('operand', () => {
    this.MANY(() => this.CONSUME(t.PrefixOperator, { LABEL: 'prefixes' }));
    this.OR({
      ERR_MSG: 'expression' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.CONSUME(t.NumberLiteral) },
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Null) },
        { ALT: () => this.SUBRULE(this.intervalLiteral) },
        // `timestamp` alone is a column: only `TIMESTAMP '…'` is a literal.
        { GATE: () => tokenMatcher(this.LA(2), t.StringLiteral), ALT: () => this.SUBRULE(this.timestampLiteral) },
        { ALT: () => this.SUBRULE(this.caseExpression) },
        { ALT: () => this.SUBRULE(this.castExpression) },
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            this.SUBRULE(this.expression, { LABEL: 'parenthesized' });
            this.CONSUME(t.RParen);
          },
        },
        {
          // `name`, `qualifier.name` or `name(args)`
          ALT: () => {
            this.CONSUME(t.Identifier, { LABEL: 'name' });
            this.OPTION(() => {
              this.OR2([
                { ALT: () => this.SUBRULE(this.functionArguments) },
                {
                  ALT: () => {
                    this.CONSUME(t.Dot);
                    this.CONSUME2(t.Identifier, { LABEL: 'member' });
                  },
                },
              ]);
            });
          },
        },
      ],
    });
  });

  protected readonly intervalLiteral = this.RULE('intervalLiteral', () => {
    this.CONSUME(t.Interval);
    this.CONSUME(t.StringLiteral, { LABEL: 'value' });
    this.CONSUME(t.Identifier, { LABEL: 'unit' });
  });

  private readonly timestampLiteral = this.RULE('timestampLiteral', () => {
    this.CONSUME(t.Timestamp);
    this.CONSUME(t.StringLiteral, { LABEL: 'value' });
  });

  private readonly caseExpression = this.RULE('caseExpression', () => {
    this.CONSUME(t.Case);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => this.SUBRULE(this.whenClause, { LABEL: 'whens' }));
    this.OPTION2(() => {
      this.CONSUME(t.Else);
      this.SUBRULE2(this.expression, { LABEL: 'otherwise' });
    });
    this.CONSUME(t.End);
  });

  private readonly whenClause = this.RULE('whenClause', () => {
    this.CONSUME(t.When);
    this.SUBRULE(this.expression, { LABEL: 'condition' });
    this.CONSUME(t.Then);
    this.SUBRULE2(this.expression, { LABEL: 'result' });
  });

  private readonly castExpression = this.RULE('castExpression', () => {
    this.OR([{ ALT: () => this.CONSUME(t.Cast) }, { ALT: () => this.CONSUME(t.TryCast) }]);
    this.CONSUME(t.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(t.As);
    this.SUBRULE(this.typeRef);
    this.CONSUME(t.RParen);
  });

  /** `()`, `(*)`, `(a, b)` or `(DISTINCT a)`. */
  protected readonly functionArguments = this.RULE('functionArguments', () => {
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Star) },
        {
          ALT: () => {
            this.OPTION2(() => this.CONSUME(t.Distinct));
            this.SUBRULE(this.expression, { LABEL: 'args' });
            this.MANY(() => {
              this.CONSUME(t.Comma);
              this.SUBRULE2(this.expression, { LABEL: 'args' });
            });
          },
        },
      ]);
    });
    this.CONSUME(t.RParen);
  });
}

// ---- Syntax errors ---------------------------------------------------------------------------------------

/** What an alternation expects, named through its `ERR_MSG`. */
export type SyntaxErrorKey = 'statement' | 'create' | 'step' | 'expression' | 'column';

/**
 * A parse error as data: the catalogue entry and its arguments. Chevrotain only carries a string per error,
 * so the message provider serialises this and `parse()` reads it back with `decodeSyntaxError`.
 */
export interface SyntaxErrorInfo {
  readonly name: keyof typeof syntaxDiagnostics;
  readonly args: Readonly<Record<string, string>>;
}

export function decodeSyntaxError(message: string): SyntaxErrorInfo {
  return JSON.parse(message) as SyntaxErrorInfo;
}

const stepKeywords: ReadonlySet<TokenType> = new Set([
  t.Where, t.Select, t.Extend, t.Window, t.Aggregate, t.Join, t.Left, t.Inner, t.Union, t.Deduplicate, t.Process,
]);

function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  return describeImage(token);
}

function describePrevious(token: IToken | undefined): string {
  if (token === undefined || token.tokenType === EOF || !Number.isFinite(token.startOffset)) return 'the start of the file';
  return describeImage(token);
}

/** `'WHERE'`, `the string 'abc'`; long or multi-line text is cut with an ellipsis. */
function describeImage(token: IToken): string {
  const image = token.image;
  const line = image.split(/\r?\n/, 1)[0] ?? '';
  const shown = line.length > 24 || line.length < image.length ? `${line.slice(0, 24)}…` : line;
  return tokenMatcher(token, t.StringLiteral) ? `the string ${shown}` : `'${shown}'`;
}

function describeTokenTypes(types: readonly TokenType[]): string {
  const labels = [...new Set(types.map((type) => (type === EOF ? 'the end of the file' : String(type.LABEL ?? type.name))))];
  if (labels.length <= 1) return labels[0] ?? 'something else';
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

function encode(name: SyntaxErrorInfo['name'], args: SyntaxErrorInfo['args']): string {
  return JSON.stringify({ name, args } satisfies SyntaxErrorInfo);
}

function expectedAlternative(
  description: string | undefined,
  firstTokens: readonly TokenType[],
  actual: IToken,
  previous: IToken,
): string {
  const found = describeFound(actual);
  switch (description as SyntaxErrorKey | undefined) {
    case 'statement':
      return encode('ExpectedStatement', { found });
    case 'create':
      return encode('ExpectedCreateKind', { found });
    case 'step':
      return encode('ExpectedStep', { found });
    case 'expression':
      return t.reservedWords.has(actual.image.toUpperCase()) && !tokenMatcher(actual, t.Identifier)
        ? encode('ReservedWordInExpression', { word: actual.image, previous: describePrevious(previous) })
        : encode('ExpectedExpression', { previous: describePrevious(previous), found });
    case 'column':
      return encode('ExpectedToken', { expected: 'a column definition', previous: describePrevious(previous), found });
    case undefined:
      return encode('ExpectedToken', { expected: describeTokenTypes(firstTokens), previous: describePrevious(previous), found });
  }
}

export const syntaxErrorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    const found = describeFound(actual);
    if (expected === EOF) return encode('ExpectedStatement', { found });
    if (expected === t.Semicolon) {
      return encode(stepKeywords.has(actual.tokenType) ? 'MissingPipe' : 'MissingSemicolon', { found });
    }
    if (expected === t.Identifier && t.reservedWords.has(actual.image.toUpperCase()) && !tokenMatcher(actual, t.Identifier)) {
      return encode('ReservedWordAsName', { word: actual.image, previous: describePrevious(previous) });
    }
    return encode('ExpectedToken', { expected: describeTokenTypes([expected]), previous: describePrevious(previous), found });
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return encode('ExpectedStatement', { found: describeFound(firstRedundant) });
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, customUserDescription }) {
    const firstTokens = expectedPathsPerAlt.flatMap((paths) => paths.flatMap((path) => path.slice(0, 1)));
    return expectedAlternative(customUserDescription, firstTokens, actual[0] ?? previous, previous);
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, previous, customUserDescription }) {
    const firstTokens = expectedIterationPaths.flatMap((path) => path.slice(0, 1));
    return expectedAlternative(customUserDescription, firstTokens, actual[0] ?? previous, previous);
  },
};

/**
 * The one parser instance: chevrotain parsers are built once and reused by resetting `input`. Its grammar
 * checks are a fifth of `sluice compile`'s start-up; test/grammar/grammar-checks.test.ts runs them instead.
 */
export const pipeParser = new PipeParser({ validate: false });
