import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { PipeParser, type SyntaxErrorKey } from '../../../grammar/parser.js';
import * as t from '../../../grammar/tokens.js';
import type { FlinkScriptCstNode } from './cst.js';
import * as f from './tokens.js';

/** Soft keywords that follow a table or select item and so cannot be its alias written without AS. */
const NOT_AN_ALIAS: ReadonlySet<TokenType> = new Set([t.Left, f.Right, f.Full, t.Inner, f.Cross, f.Having, f.Order, f.Over]);

/**
 * The subset of Flink SQL that `sluice import` reads: SET, CREATE [TEMPORARY] TABLE … WITH, CREATE [TEMPORARY]
 * VIEW, INSERT INTO … SELECT, and the two forms of statement sets. It extends the `.pipe` grammar (chevrotain's
 * grammar inheritance), so expressions, types, WITH options and SET are parsed by exactly the rules of `.pipe`
 * files and their CST is turned into the same AST. It builds a CST only; `to-ast.ts` turns it into the import
 * AST. Constructs outside the subset that still parse (RIGHT JOIN, HAVING, PRIMARY KEY, …) are reported by
 * `to-pipe.ts`, which knows what each would mean.
 */
export class FlinkSqlParser extends PipeParser {
  constructor(options: { readonly validate: boolean }) {
    super(options, f.flinkTokens);
    this.performSelfAnalysis();
  }

  parseFlinkScript(tokens: IToken[]): FlinkScriptCstNode {
    this.insertedBefore.clear();
    this.input = tokens;
    return this.flinkScript() as FlinkScriptCstNode;
  }

  /** A name alone is an alias unless it is one of the soft keywords that can follow a table or a select item. */
  private isAlias(): boolean {
    const next = this.LA(1);
    return tokenMatcher(next, t.Identifier) && !NOT_AN_ALIAS.has(next.tokenType);
  }

  private startsAlias(): boolean {
    return this.LA(1).tokenType === t.As || this.isAlias();
  }

  // ---- Statements ----------------------------------------------------------------------------------

  readonly flinkScript = this.RULE('flinkScript', () => {
    this.MANY(() => this.SUBRULE(this.flinkStatement, { LABEL: 'statements' }));
  });

  private readonly flinkStatement = this.RULE('flinkStatement', () => {
    this.OR({
      ERR_MSG: 'statement' satisfies SyntaxErrorKey,
      DEF: [
        { ALT: () => this.SUBRULE(this.setStatement) },
        { ALT: () => this.SUBRULE(this.createFlinkStatement) },
        { ALT: () => this.SUBRULE(this.insertSelect) },
        { ALT: () => this.SUBRULE(this.statementSet) },
      ],
    });
    this.CONSUME(t.Semicolon);
  });

  private readonly createFlinkStatement = this.RULE('createFlinkStatement', () => {
    this.CONSUME(t.Create);
    this.OPTION(() => this.CONSUME(f.Temporary));
    this.OR([
      { ALT: () => this.SUBRULE(this.createTable) },
      { ALT: () => this.SUBRULE(this.createFlinkView) },
    ]);
  });

  private readonly createTable = this.RULE('createTable', () => {
    this.CONSUME(f.Table);
    this.OPTION(() => {
      this.CONSUME(f.If);
      this.CONSUME(t.Not);
      this.CONSUME(f.Exists);
    });
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.LParen);
    this.OPTION2(() => {
      this.SUBRULE(this.tableColumn, { LABEL: 'elements' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.tableColumn, { LABEL: 'elements' });
      });
    });
    this.CONSUME(t.RParen);
    this.SUBRULE(this.withOptions);
  });

  private readonly tableColumn = this.RULE('tableColumn', () => {
    this.OR({
      ERR_MSG: 'column' satisfies SyntaxErrorKey,
      DEF: [
        { GATE: () => this.LA(2).tokenType === t.For, ALT: () => this.SUBRULE(this.watermarkDef) },
        { GATE: () => this.LA(2).tokenType === f.Key, ALT: () => this.SUBRULE(this.primaryKey) },
        { ALT: () => this.SUBRULE(this.flinkColumn) },
      ],
    });
  });

  /** `name type [NOT NULL]`, or a computed column `name AS expr`. */
  private readonly flinkColumn = this.RULE('flinkColumn', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.As);
          this.SUBRULE(this.expression, { LABEL: 'computed' });
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.flinkType);
          this.OPTION(() => {
            this.CONSUME(t.Not);
            this.CONSUME(t.Null);
          });
        },
      },
    ]);
  });

  /** A `.pipe` type name with parameters, or a structured type such as `ROW<id BIGINT, name STRING>`. */
  private readonly flinkType = this.RULE('flinkType', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            this.CONSUME(t.NumberLiteral, { LABEL: 'params' });
            this.MANY(() => {
              this.CONSUME(t.Comma);
              this.CONSUME2(t.NumberLiteral, { LABEL: 'params' });
            });
            this.CONSUME(t.RParen);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Less);
            this.SUBRULE(this.typeArgument, { LABEL: 'fields' });
            this.MANY2(() => {
              this.CONSUME2(t.Comma);
              this.SUBRULE2(this.typeArgument, { LABEL: 'fields' });
            });
            this.CONSUME(t.Greater);
          },
        },
      ]);
    });
  });

  /** `name type` inside ROW<…>, or a bare type inside ARRAY<…> and MAP<…>. */
  private readonly typeArgument = this.RULE('typeArgument', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.flinkType));
  });

  private readonly primaryKey = this.RULE('primaryKey', () => {
    this.CONSUME(f.Primary);
    this.CONSUME(f.Key);
    this.CONSUME(t.LParen);
    this.CONSUME(t.Identifier, { LABEL: 'columns' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.CONSUME2(t.Identifier, { LABEL: 'columns' });
    });
    this.CONSUME(t.RParen);
    this.OPTION(() => {
      this.CONSUME(t.Not);
      this.CONSUME(f.Enforced);
    });
  });

  private readonly createFlinkView = this.RULE('createFlinkView', () => {
    this.CONSUME(t.View);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.As);
    this.SUBRULE(this.query);
  });

  private readonly insertSelect = this.RULE('insertSelect', () => {
    this.CONSUME(t.Insert);
    this.CONSUME(t.Into);
    this.CONSUME(t.Identifier, { LABEL: 'sink' });
    this.SUBRULE(this.query);
  });

  /** `EXECUTE STATEMENT SET BEGIN … END` or the SQL client's `BEGIN STATEMENT SET; … END`. */
  private readonly statementSet = this.RULE('statementSet', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(f.Execute);
          this.CONSUME(f.Statement);
          this.CONSUME(t.SetKeyword);
          this.CONSUME(f.Begin);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(f.Begin);
          this.CONSUME2(f.Statement);
          this.CONSUME2(t.SetKeyword);
          this.CONSUME(t.Semicolon);
        },
      },
    ]);
    this.MANY(() => {
      this.SUBRULE(this.insertSelect, { LABEL: 'inserts' });
      this.CONSUME2(t.Semicolon);
    });
    this.CONSUME(t.End);
  });

  // ---- Queries -------------------------------------------------------------------------------------

  /** SELECT blocks joined by UNION ALL. */
  private readonly query = this.RULE('query', () => {
    this.SUBRULE(this.selectBlock, { LABEL: 'blocks' });
    this.MANY(() => {
      this.CONSUME(t.Union);
      this.CONSUME(t.All);
      this.SUBRULE2(this.selectBlock, { LABEL: 'blocks' });
    });
  });

  private readonly selectBlock = this.RULE('selectBlock', () => {
    this.CONSUME(t.Select);
    this.OPTION(() => this.CONSUME(t.Distinct));
    this.SUBRULE(this.selectColumn, { LABEL: 'columns' });
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.selectColumn, { LABEL: 'columns' });
    });
    this.CONSUME(t.From);
    this.SUBRULE(this.fromItem, { LABEL: 'from' });
    this.MANY2(() => {
      this.CONSUME2(t.Comma);
      this.SUBRULE2(this.fromItem, { LABEL: 'from' });
    });
    this.OPTION2(() => {
      this.CONSUME(t.Where);
      this.SUBRULE(this.expression, { LABEL: 'where' });
    });
    this.OPTION3(() => {
      this.CONSUME(t.Group);
      this.CONSUME(t.By);
      this.SUBRULE2(this.expression, { LABEL: 'groupBy' });
      this.MANY3(() => {
        this.CONSUME3(t.Comma);
        this.SUBRULE3(this.expression, { LABEL: 'groupBy' });
      });
    });
    this.OPTION4(() => {
      this.CONSUME(f.Having);
      this.SUBRULE4(this.expression, { LABEL: 'having' });
    });
  });

  private readonly selectColumn = this.RULE('selectColumn', () => {
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
        {
          ALT: () => {
            this.SUBRULE(this.expression);
            this.OPTION(() => this.SUBRULE(this.overClause));
            this.OPTION2({ GATE: () => this.startsAlias(), DEF: () => this.SUBRULE(this.alias) });
          },
        },
      ],
    });
  });

  /** `AS name`, or a name alone where it cannot be read as the next clause. */
  private readonly alias = this.RULE('alias', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.As);
          this.CONSUME(t.Identifier, { LABEL: 'name' });
        },
      },
      { GATE: () => this.isAlias(), ALT: () => this.CONSUME2(t.Identifier, { LABEL: 'name' }) },
    ]);
  });

  /** `OVER (PARTITION BY … ORDER BY …)`: only ROW_NUMBER's, for the deduplication pattern. */
  private readonly overClause = this.RULE('overClause', () => {
    this.CONSUME(f.Over);
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.CONSUME(t.Partition);
      this.CONSUME(t.By);
      this.SUBRULE(this.expression, { LABEL: 'partitionBy' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'partitionBy' });
      });
    });
    this.OPTION2(() => {
      this.CONSUME(f.Order);
      this.CONSUME2(t.By);
      this.SUBRULE(this.orderItem, { LABEL: 'orderBy' });
      this.MANY2(() => {
        this.CONSUME2(t.Comma);
        this.SUBRULE2(this.orderItem, { LABEL: 'orderBy' });
      });
    });
    this.CONSUME(t.RParen);
  });

  private readonly orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(f.Asc) }, { ALT: () => this.CONSUME(f.Desc) }]));
  });

  /** A table, view, subquery or window table function, and the joins after it. */
  private readonly fromItem = this.RULE('fromItem', () => {
    this.SUBRULE(this.tableFactor, { LABEL: 'first' });
    this.MANY(() => this.SUBRULE(this.joinClause, { LABEL: 'joins' }));
  });

  private readonly tableFactor = this.RULE('tableFactor', () => {
    this.OR([
      {
        GATE: () => this.LA(2).tokenType === t.LParen,
        ALT: () => {
          this.CONSUME(f.Table);
          this.CONSUME(t.LParen);
          this.SUBRULE(this.windowFunction);
          this.CONSUME(t.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(t.LParen);
          this.SUBRULE(this.query, { LABEL: 'subquery' });
          this.CONSUME2(t.RParen);
        },
      },
      { ALT: () => this.CONSUME(t.Identifier, { LABEL: 'name' }) },
    ]);
    this.OPTION({ GATE: () => this.startsAlias(), DEF: () => this.SUBRULE(this.alias) });
  });

  /** `TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL …)` and its siblings HOP, CUMULATE and SESSION. */
  private readonly windowFunction = this.RULE('windowFunction', () => {
    this.CONSUME(t.Identifier, { LABEL: 'function' });
    this.CONSUME(t.LParen);
    this.CONSUME(f.Table);
    this.CONSUME2(t.Identifier, { LABEL: 'table' });
    this.OPTION(() => {
      this.CONSUME(t.Partition);
      this.CONSUME(t.By);
      this.SUBRULE(this.expression, { LABEL: 'partitionBy' });
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'partitionBy' });
      });
    });
    this.CONSUME2(t.Comma);
    this.CONSUME(f.Descriptor);
    this.CONSUME2(t.LParen);
    this.CONSUME3(t.Identifier, { LABEL: 'timeColumn' });
    this.CONSUME2(t.RParen);
    this.MANY2(() => {
      this.CONSUME3(t.Comma);
      this.SUBRULE3(this.expression, { LABEL: 'args' });
    });
    this.CONSUME3(t.RParen);
  });

  private readonly joinClause = this.RULE('joinClause', () => {
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(t.Left, { LABEL: 'kind' }) },
              { ALT: () => this.CONSUME(f.Right, { LABEL: 'kind' }) },
              { ALT: () => this.CONSUME(f.Full, { LABEL: 'kind' }) },
            ]);
            this.OPTION2(() => this.CONSUME(t.Outer));
          },
        },
        { ALT: () => this.CONSUME(t.Inner) },
        { ALT: () => this.CONSUME(f.Cross, { LABEL: 'kind' }) },
      ]);
    });
    this.CONSUME(t.Join);
    this.SUBRULE(this.tableFactor, { LABEL: 'right' });
    this.OPTION3(() => {
      this.CONSUME(t.On);
      this.SUBRULE(this.expression, { LABEL: 'condition' });
    });
  });

  /** `.pipe`'s interval literal, plus Flink's `DAY TO SECOND` form that the exporter writes for long intervals. */
  protected override readonly intervalLiteral = this.OVERRIDE_RULE('intervalLiteral', () => {
    this.CONSUME(t.Interval);
    this.CONSUME(t.StringLiteral, { LABEL: 'value' });
    this.CONSUME(t.Identifier, { LABEL: 'unit' });
    this.OPTION(() => {
      this.CONSUME(f.To);
      this.CONSUME2(t.Identifier, { LABEL: 'toUnit' });
    });
  });
}

let instance: FlinkSqlParser | undefined;

/** The one parser instance, built on first use (chevrotain parsers are reused by resetting `input`). */
export function flinkSqlParser(): FlinkSqlParser {
  instance ??= new FlinkSqlParser({ validate: false });
  return instance;
}
