import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { importFlinkSql } from '../../compiler/importers/flink-sql/import-flink-sql.js';

/**
 * The Nexmark project's own Flink SQL (nexmark-flink/…/queries, in the shape of ../shared/docs/NEXMARK.md):
 * its DDL of one `datagen` events table with ROW columns and camelCase names, its views per event type, and each
 * query as written there (aliases without AS, comma joins, subqueries, lower-case functions).
 */
const dir = 'test/flink-sql/nexmark-flink';
const ddl = readFileSync(`${dir}/ddl.sql`, 'utf8');
const script = (query: string) => `${ddl}\n${readFileSync(`${dir}/${query}.sql`, 'utf8')}`;

function imported(query: string) {
  const result = importFlinkSql(script(query), `${query}.sql`);
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { pipe: result.pipe!, compiled: compile(result.pipe!, { file: `${query}.pipe` }) };
}

const errorsOf = (diagnostics: readonly { severity: string; code: string; message: string }[]) =>
  diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

describe("the Nexmark project's Flink SQL imports and compiles", () => {
  for (const query of ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8']) {
    it(query, () => {
      const { compiled } = imported(query);
      expect(errorsOf(compiled.diagnostics)).toEqual([]);
    });
  }

  it('q4 imports; its AVG of BIGINT is a DOUBLE in Sluice, which its BIGINT sink column refuses (docs/flink.md)', () => {
    const { compiled } = imported('q4');
    expect(errorsOf(compiled.diagnostics)).toEqual([
      "SLC5021 INSERT INTO nexmark_q4: the pipeline's columns (id BIGINT, final DOUBLE) do not match the sink's (id BIGINT, final BIGINT)",
    ]);
  });

  it('q6 (an OVER window with a ROWS frame) is a syntax error at the frame', () => {
    const text = script('q6');
    const result = importFlinkSql(text, 'q6.sql');
    expect(result.pipe).toBeUndefined();
    expect(result.diagnostics[0]!.message).toBe("expected ')' after 'dateTime', found 'ROWS'");
    expect(text.slice(0, result.diagnostics[0]!.span.offset).endsWith('ORDER BY Q.dateTime')).toBe(true);
  });

  it('the views become nexmark sources with snake_case columns, and the camelCase names are read as them', () => {
    const { pipe } = imported('q0');
    expect(pipe).toContain("CREATE SOURCE bid (\n  auction BIGINT,\n  bidder BIGINT,\n  price BIGINT,\n  channel STRING,\n  url STRING,\n  date_time TIMESTAMP(3),\n  extra STRING,\n  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND\n) WITH (\n  'connector' = 'nexmark',\n  'table' = 'bid',\n  'rate' = '10000000',\n  'events' = '100000000'\n) UID 'bid-source';");
    expect(pipe).toContain('INSERT INTO nexmark_q0\nFROM bid\n|> SELECT auction, bidder, price, date_time AS dateTime, extra;');
  });

  it('importing the same script twice gives the same uids, derived from the names in it', () => {
    const uids = () => importFlinkSql(script('q5'), 'q5.sql').uids.map((u) => u.uid);
    expect(uids()).toEqual(['person-source', 'auction-source', 'bid-source', 'nexmark-q5-sink', 'into-nexmark-q5', 'into-nexmark-q5-2', 'into-nexmark-q5-3', 'into-nexmark-q5-4']);
    expect(uids()).toEqual(uids());
  });
});
