import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { toFlinkSql } from '../../compiler/exporters/flink-sql/export-flink-sql.js';
import { FLINK_DIALECT, FLINK_FUNCTIONS, flinkIdentifier } from '../../compiler/exporters/flink-sql/flink-dialect.js';
import { builtinFunctionNames } from '../../compiler/functions/builtins.js';
import { flinkSyntaxErrors } from './parse-flink.js';

const SOURCES = `
CREATE SOURCE bids (auction BIGINT, price BIGINT, \`value\` DOUBLE, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND
) WITH ('connector' = 'file', 'path' = '/data/bids.jsonl') UID 'bid-source';
CREATE SOURCE nexmark_bids (auction BIGINT, price BIGINT, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND
) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '1000') UID 'nexmark-bids';
CREATE SOURCE more_bids (auction BIGINT, price BIGINT, \`value\` DOUBLE, date_time TIMESTAMP(3),
  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND
) WITH ('connector' = 'file', 'path' = '/data/bids/', 'format' = 'csv', 'csv.header' = 'false', 'mode' = 'continuous') UID 'more-bids';
`;

/** The export of a pipeline over the sources above; the script must parse as Flink SQL. */
function exported(pipeline: string) {
  const text = `${SOURCES}${pipeline}`;
  const compiled = compile(text, { file: 'job.pipe' });
  expect(compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const result = toFlinkSql(compiled.value!);
  expect(flinkSyntaxErrors(result.text)).toEqual([]);
  return { ...result, messages: result.diagnostics.map((d) => `${d.code} ${d.message}`) };
}

/** The CREATE VIEW statements of a script, without their comment lines. */
function views(text: string): string {
  return text
    .split('\n\n')
    .filter((s) => s.includes('CREATE TEMPORARY VIEW') && !s.includes('FROM nexmark'))
    .map((s) => s.replace(/^--.*\n/gm, ''))
    .join('\n\n');
}

describe('step translation', () => {
  it('UNION ALL, and a column named by a reserved word is back-quoted', () => {
    const { text } = exported(`CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bids |> UNION ALL more_bids |> SELECT auction, \`value\` * 2 AS \`value\`;`);
    expect(views(text)).toBe(
      [
        'CREATE TEMPORARY VIEW union_1 AS\nSELECT *\nFROM bids\nUNION ALL\nSELECT *\nFROM more_bids;',
        'CREATE TEMPORARY VIEW project_1 AS\nSELECT auction, `value` * 2 AS `value`\nFROM union_1;',
      ].join('\n\n'),
    );
  });

  it('a LEFT interval join with bounds before and after, and the repeated column names of the join numbered', () => {
    const { text } = exported(`CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bids AS a
|> LEFT JOIN more_bids AS b ON a.auction = b.auction
   AND b.date_time BETWEEN a.date_time - INTERVAL '90' SECOND AND a.date_time + INTERVAL '1500' MILLISECOND UID 'j';`);
    expect(views(text)).toBe(
      'CREATE TEMPORARY VIEW j AS\n' +
        'SELECT l.auction AS auction, l.price AS price, l.`value` AS `value`, l.date_time AS date_time, r.auction AS auction0, r.price AS price0, r.`value` AS value0, r.date_time AS date_time0\n' +
        'FROM bids AS l\nLEFT JOIN more_bids AS r\n' +
        "  ON l.auction = r.auction\n AND r.date_time BETWEEN l.date_time - INTERVAL '90' SECOND AND l.date_time + INTERVAL '1.500' SECOND;",
    );
  });

  it('a HOP window without an aggregate, and a continuous aggregate whose AVG stays a DOUBLE', () => {
    const { text } = exported(`CREATE SINK out WITH ('connector' = 'print') UID 'out';
CREATE SINK totals WITH ('connector' = 'print') UID 'totals';
INSERT INTO out FROM bids |> WINDOW HOP(date_time, INTERVAL '5' SECOND, INTERVAL '1' MINUTE);
INSERT INTO totals FROM bids |> AGGREGATE AVG(price) AS avg_price, COUNT(DISTINCT auction) AS auctions GROUP BY auction % 10 AS bucket UID 'avg';`);
    expect(views(text)).toBe(
      [
        "CREATE TEMPORARY VIEW window_assign_1 AS\nSELECT auction, price, `value`, date_time, window_start, window_end\nFROM TABLE(HOP(TABLE bids, DESCRIPTOR(date_time), INTERVAL '5' SECOND, INTERVAL '1' MINUTE));",
        'CREATE TEMPORARY VIEW `avg` AS\nSELECT auction % 10 AS bucket, AVG(CAST(price AS DOUBLE)) AS avg_price, COUNT(DISTINCT auction) AS auctions\nFROM bids\nGROUP BY auction % 10;',
      ].join('\n\n'),
    );
  });

  it('DEDUPLICATE KEEP LAST as ROW_NUMBER() ordered by processing time, newest first', () => {
    const { text } = exported(`CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bids |> DEDUPLICATE BY auction KEEP LAST UID 'latest';`);
    expect(views(text)).toBe(
      'CREATE TEMPORARY VIEW latest AS\nSELECT auction, price, `value`, date_time\nFROM (\n' +
        '  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY proc_time DESC) AS row_num\n' +
        '  FROM (SELECT *, PROCTIME() AS proc_time FROM bids)\n)\nWHERE row_num = 1;',
    );
  });

  it("passes the job's state TTL on as its SET and warns that a step's own TTL does not carry over", () => {
    const { text, messages } = exported(`SET 'table.exec.state.ttl' = '1 d';
CREATE SINK out WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM bids |> DEDUPLICATE BY auction KEEP LAST UID 'latest' TTL INTERVAL '2' HOUR
  |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'count';`);
    expect(text).toContain("SET 'table.exec.state.ttl' = '1 d';");
    expect(messages).toEqual([
      "SLC7010 the state TTL of 'latest' behaves differently on Flink: Flink keeps its state by 'table.exec.state.ttl' (1 d), not by the step's own TTL (2 h)",
    ]);
  });

  it('an updating stream into a file sink is an error; a csv sink warns that Flink writes no header', () => {
    const { messages } = exported(`CREATE SINK counts WITH ('connector' = 'file', 'path' = '/out/counts', 'format' = 'csv') UID 'counts';
INSERT INTO counts FROM bids |> AGGREGATE COUNT(*) AS n GROUP BY auction UID 'count';`);
    expect(messages).toEqual([
      "SLC7001 an updating stream into a file sink in step 'counts' has no Flink SQL translation",
      "SLC7010 'csv.header' = 'true' of 'counts' behaves differently on Flink: Flink's csv format writes no header line",
      "SLC7010 the file sink of 'counts' behaves differently on Flink: Flink's filesystem sink commits part files only when a checkpoint completes, and checkpointing is off",
    ]);
  });
});

describe('connectors', () => {
  it('a continuous csv file source monitors its path; a Nexmark source is a view over the shared nexmark table', () => {
    const { text } = exported(`CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
CREATE SINK out2 WITH ('connector' = 'blackhole') UID 'out2';
INSERT INTO out FROM nexmark_bids;
INSERT INTO out2 FROM more_bids;`);
    expect(text).toContain(
      "CREATE TEMPORARY TABLE more_bids (\n  auction BIGINT,\n  price BIGINT,\n  `value` DOUBLE,\n  date_time TIMESTAMP(3),\n  WATERMARK FOR date_time AS date_time - INTERVAL '1' SECOND\n" +
        ") WITH (\n  'connector' = 'filesystem',\n  'path' = '/data/bids/',\n  'format' = 'csv',\n  'source.monitor-interval' = '1 s'\n);",
    );
    expect(text).toContain("WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '1' SECOND\n) WITH (\n  'connector' = 'nexmark',");
    expect(text).toContain(
      'CREATE TEMPORARY VIEW nexmark_bids AS\nSELECT bid.auction AS auction, bid.price AS price, `dateTime` AS date_time\nFROM nexmark\nWHERE event_type = 2;',
    );
  });
});

describe('the Flink dialect', () => {
  it('writes intervals Flink accepts: no MILLISECOND, at most two leading digits', () => {
    const cases = [1_000, 90_000, 120_000, 100_000, 1, 10_001, -4_000, 3 * 86_400_000 + 1_500];
    expect(cases.map(FLINK_DIALECT.interval)).toEqual([
      "INTERVAL '1' SECOND",
      "INTERVAL '90' SECOND",
      "INTERVAL '2' MINUTE",
      "INTERVAL '0 00:01:40' DAY TO SECOND",
      "INTERVAL '0.001' SECOND",
      "INTERVAL '10.001' SECOND",
      "INTERVAL '-4' SECOND",
      "INTERVAL '3 00:00:01.500' DAY TO SECOND",
    ]);
  });

  it('quotes reserved words and names that are not plain', () => {
    expect(['price', 'value', 'Final', 'order-id', 'date_time'].map(flinkIdentifier)).toEqual(['price', '`value`', '`Final`', '`order-id`', 'date_time']);
  });

  it('knows a Flink spelling for every built-in function of Sluice', () => {
    expect(builtinFunctionNames().filter((name) => !FLINK_FUNCTIONS.has(name))).toEqual([]);
  });
});
