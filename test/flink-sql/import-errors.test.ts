import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../compiler/diagnostics/format.js';
import { SourceText } from '../../compiler/diagnostics/source-text.js';
import { importFlinkSql } from '../../compiler/importers/flink-sql/import-flink-sql.js';

const TABLES = `CREATE TABLE t (
  id BIGINT,
  name STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.jsonl', 'format' = 'json');
CREATE TABLE u (id BIGINT, city STRING) WITH ('connector' = 'datagen');
CREATE TABLE out_table (id BIGINT, x STRING) WITH ('connector' = 'print');
`;

/** Each error as `code line:column message`, the line and column in the Flink script. */
function errors(statements: string): string[] {
  const text = TABLES + statements;
  const result = importFlinkSql(text, 'job.sql');
  expect(result.pipe).toBeUndefined();
  const lines = new SourceText('job.sql', text);
  return result.diagnostics.map((d) => {
    const { line, column } = lines.positionAt(d.span.offset);
    return `${d.code} ${line}:${column} ${d.message}`;
  });
}

describe('constructs outside the importable subset are errors naming them, at their place', () => {
  it('a RIGHT JOIN', () => {
    expect(errors('INSERT INTO out_table SELECT t.id, u.city FROM t RIGHT JOIN u ON t.id = u.id;')).toEqual([
      'SLC7101 9:50 RIGHT JOIN cannot be imported',
    ]);
  });

  it('HAVING', () => {
    expect(errors('INSERT INTO out_table SELECT id, COUNT(*) AS n FROM t GROUP BY id HAVING COUNT(*) > 1;')).toEqual([
      'SLC7101 9:74 HAVING cannot be imported',
    ]);
  });

  it('a connector Sluice lacks, and a table both read and written', () => {
    const kafka = "CREATE TABLE k (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'x');\nINSERT INTO t SELECT * FROM t;";
    expect(errors(kafka)).toEqual([
      "SLC7106 1:14 table 't' is both read and written",
      "SLC7102 9:48 connector 'kafka' of table 'k' has no Sluice counterpart",
    ]);
  });

  it('a CUMULATE window, window_time and event-time deduplication', () => {
    expect(errors([
      "INSERT INTO out_table SELECT id, window_start, window_end, COUNT(*) AS n FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) GROUP BY id, window_start, window_end;",
      "INSERT INTO out_table SELECT id, window_time FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE));",
      'INSERT INTO out_table SELECT id, name FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1;',
    ].join('\n'))).toEqual([
      'SLC7101 9:85 the window table function CUMULATE cannot be imported',
      "SLC7101 10:23 a window table function's window_time 'window_time' inserted into a table cannot be imported",
      "SLC7108 11:99 ROW_NUMBER() ordered by 'ts' is not a deduplication Sluice can run",
    ]);
  });

  it('a Top-N query, an unknown column and an unknown table', () => {
    expect(errors([
      'CREATE VIEW p AS SELECT *, PROCTIME() AS pt FROM t;',
      'INSERT INTO out_table SELECT id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY pt) AS rn FROM p) WHERE rn <= 3;',
      'INSERT INTO out_table SELECT idd FROM t;',
      'INSERT INTO out_table SELECT id FROM nowhere;',
    ].join('\n'))).toEqual([
      'SLC7101 10:117 a Top-N query (ROW_NUMBER() kept other than = 1) cannot be imported',
      "SLC7104 11:30 unknown column 'idd'",
      "SLC7103 12:38 unknown table or view 'nowhere'",
    ]);
  });

  it('prints like a compiler error: file, line, column, the line and a caret', () => {
    const text = `${TABLES}INSERT INTO out_table SELECT id, name FROM t FULL JOIN u ON t.id = u.id;`;
    const result = importFlinkSql(text, 'job.sql');
    expect(formatDiagnostics(result.diagnostics, new Map([['job.sql', new SourceText('job.sql', text)]]))).toMatchInlineSnapshot(`
      "error[SLC7101]: FULL JOIN cannot be imported
       --> job.sql:9:46
        |
      9 | INSERT INTO out_table SELECT id, name FROM t FULL JOIN u ON t.id = u.id;
        |                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^
        = help: Sluice has inner and LEFT joins only; docs/flink.md, section "Importing Flink SQL", lists what can

      "
    `);
  });
});
