import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { importFlinkSql } from '../../compiler/importers/flink-sql/import-flink-sql.js';

/**
 * Flink SQL as users write it (import/hand-written.sql): a PROCTIME() column in the DDL, a monitored filesystem
 * source, UNION ALL in a view, BEGIN STATEMENT SET, a session group window with unnamed items, the ROW_NUMBER()
 * deduplication over that column, a window TVF grouped in another order than selected with a DAY TO SECOND size,
 * and an interval LEFT JOIN. The .pipe it becomes is reviewed text (import/hand-written.pipe).
 */
it('hand-written Flink SQL imports into the reviewed .pipe, which compiles', async () => {
  const result = importFlinkSql(readFileSync('test/flink-sql/import/hand-written.sql', 'utf8'), 'hand-written.sql');
  expect(result.diagnostics).toEqual([]);
  await expect(result.pipe).toMatchFileSnapshot('import/hand-written.pipe');
  const compiled = compile(result.pipe!, { file: 'hand-written.pipe' });
  expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(compiled.value!.operators.map((op) => op.spec.kind)).toEqual(expect.arrayContaining(['deduplicate']));
});
