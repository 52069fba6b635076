import { describe, expect, it } from 'vitest';
import { parseSteps, sexpr, withoutSpans } from './support.js';

const id = (name: string) => ({ kind: 'Identifier', name, quoted: false });
const col = (name: string) => ({ kind: 'ColumnRef', name: id(name) });

describe('step forms', () => {
  it('WHERE', () => {
    expect(withoutSpans(parseSteps('|> WHERE ok'))).toEqual([{ kind: 'WhereStep', condition: col('ok') }]);
  });

  it('SELECT with expressions, aliases, * and alias.*', () => {
    expect(withoutSpans(parseSteps('|> SELECT *, b.*, a + 1 AS n, c'))).toEqual([
      {
        kind: 'SelectStep',
        items: [
          { kind: 'StarItem' },
          { kind: 'StarItem', qualifier: id('b') },
          {
            kind: 'ExprItem',
            expr: { kind: 'BinaryExpr', operator: '+', left: col('a'), right: { kind: 'NumberLiteral', text: '1' } },
            alias: id('n'),
          },
          { kind: 'ExprItem', expr: col('c') },
        ],
      },
    ]);
  });

  it('EXTEND', () => {
    expect(withoutSpans(parseSteps("|> EXTEND UPPER(s) AS u, 'x' AS tag"))).toEqual([
      {
        kind: 'ExtendStep',
        items: [
          { expr: { kind: 'FunctionCall', name: id('UPPER'), args: [col('s')], distinct: false, star: false }, alias: id('u') },
          { expr: { kind: 'StringLiteral', value: 'x' }, alias: id('tag') },
        ],
      },
    ]);
  });

  it.each([
    ["|> WINDOW TUMBLE(ts, INTERVAL '1' MINUTE)", 'TUMBLE', ["(INTERVAL '1' MINUTE)"]],
    ["|> WINDOW hop(ts, INTERVAL '10' SECOND, INTERVAL '1' MINUTE)", 'HOP', ["(INTERVAL '10' SECOND)", "(INTERVAL '1' MINUTE)"]],
    ["|> WINDOW Session(ts, INTERVAL '30' SECONDS)", 'SESSION', ["(INTERVAL '30' SECOND)"]],
  ])('%s', (text, fn, args) => {
    const [step] = parseSteps(text);
    expect(step).toMatchObject({ kind: 'WindowStep', function: fn, timeColumn: { kind: 'ColumnRef', name: { name: 'ts' } } });
    expect(step?.kind === 'WindowStep' && step.args.map(sexpr)).toEqual(args);
  });

  it('AGGREGATE with GROUP BY keys, aliased or not', () => {
    const [step] = parseSteps('|> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY window_start, auction % 10 AS bucket UID \'agg\'');
    expect(withoutSpans(step)).toEqual({
      kind: 'AggregateStep',
      aggregates: [
        { call: { kind: 'FunctionCall', name: id('COUNT'), args: [], distinct: false, star: true }, alias: id('n') },
        { call: { kind: 'FunctionCall', name: id('SUM'), args: [col('price')], distinct: false, star: false }, alias: id('total') },
      ],
      groupBy: [
        { expr: col('window_start') },
        { expr: { kind: 'BinaryExpr', operator: '%', left: col('auction'), right: { kind: 'NumberLiteral', text: '10' } }, alias: id('bucket') },
      ],
      uid: { kind: 'UidClause', value: 'agg' },
    });
  });

  it('AGGREGATE without GROUP BY has no keys', () => {
    expect(parseSteps('|> AGGREGATE MAX(x) AS m')[0]).toMatchObject({ kind: 'AggregateStep', groupBy: [] });
  });

  it.each([
    ['JOIN', 'INNER'],
    ['INNER JOIN', 'INNER'],
    ['LEFT JOIN', 'LEFT'],
    ['left outer join', 'LEFT'],
  ])('%s', (join, joinType) => {
    const [step] = parseSteps(`|> ${join} persons AS p ON seller = p.id UID 'j'`);
    expect(withoutSpans(step)).toEqual({
      kind: 'JoinStep',
      joinType,
      right: { kind: 'StreamRef', name: id('persons'), alias: id('p') },
      condition: { kind: 'BinaryExpr', operator: '=', left: col('seller'), right: { kind: 'ColumnRef', qualifier: id('p'), name: id('id') } },
      uid: { kind: 'UidClause', value: 'j' },
    });
  });

  it('UNION ALL', () => {
    expect(withoutSpans(parseSteps('|> UNION ALL other'))).toEqual([
      { kind: 'UnionStep', other: { kind: 'StreamRef', name: id('other') } },
    ]);
  });

  it.each([
    ['|> DEDUPLICATE BY a, b', 'FIRST'],
    ['|> DEDUPLICATE BY a, b KEEP FIRST', 'FIRST'],
    ['|> DEDUPLICATE BY a, b KEEP LAST', 'LAST'],
  ])('%s', (text, keep) => {
    expect(withoutSpans(parseSteps(text))).toEqual([{ kind: 'DeduplicateStep', keys: [col('a'), col('b')], keep }]);
  });

  it('PROCESS with and without PARTITION BY', () => {
    expect(withoutSpans(parseSteps("|> PROCESS enrich(a, 'k') PARTITION BY a, b UID 'p' |> PROCESS tick()"))).toEqual([
      {
        kind: 'ProcessStep',
        function: id('enrich'),
        args: [col('a'), { kind: 'StringLiteral', value: 'k' }],
        partitionBy: [col('a'), col('b')],
        uid: { kind: 'UidClause', value: 'p' },
      },
      { kind: 'ProcessStep', function: id('tick'), args: [], partitionBy: [] },
    ]);
  });

  it('any step may carry a UID, and steps chain in order', () => {
    const steps = parseSteps("|> WHERE a UID 'w' |> SELECT a UID 's' |> EXTEND 1 AS b");
    expect(steps.map((s) => [s.kind, s.uid?.value])).toEqual([
      ['WhereStep', 'w'],
      ['SelectStep', 's'],
      ['ExtendStep', undefined],
    ]);
    expect(steps[2]).not.toHaveProperty('uid');
  });
});
