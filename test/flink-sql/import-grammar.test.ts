import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { flinkCstDtsText } from '../../compiler/importers/flink-sql/generate-cst-dts.js';
import { FlinkSqlParser } from '../../compiler/importers/flink-sql/parser.js';
import { createFlinkLexer } from '../../compiler/importers/flink-sql/tokens.js';

it('the Flink SQL grammar passes chevrotain\'s checks (start-up skips them)', () => {
  expect(() => new FlinkSqlParser({ validate: true })).not.toThrow();
  expect(() => createFlinkLexer({ validate: true })).not.toThrow();
});

it('compiler/importers/flink-sql/cst.d.ts matches the grammar (regenerate with `npx tsx compiler/importers/flink-sql/generate-cst-dts.ts`)', () => {
  expect(readFileSync(new URL('../../compiler/importers/flink-sql/cst.d.ts', import.meta.url), 'utf8')).toBe(flinkCstDtsText());
});
