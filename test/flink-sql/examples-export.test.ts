import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFunctions } from '../../cli/load-functions.js';
import { compile } from '../../compiler/compile.js';
import { toFlinkSql } from '../../compiler/exporters/flink-sql/export-flink-sql.js';
import { flinkSyntaxErrors } from './parse-flink.js';

const EXAMPLES = [
  ...readdirSync('examples').filter((f) => f.endsWith('.pipe')).map((f) => `examples/${f}`),
  ...readdirSync('examples/nexmark').filter((f) => f.endsWith('.pipe')).map((f) => `examples/nexmark/${f}`),
];
const JAVASCRIPT = new Set(['examples/process-alerts.pipe']);

async function exportFile(file: string) {
  const loaded = JAVASCRIPT.has(file) ? await loadFunctions('examples/functions/alerts.js', process.cwd()) : undefined;
  const compiled = compile(readFileSync(file, 'utf8'), { file, ...(loaded?.value === undefined ? {} : { functions: loaded.value }) });
  expect(compiled.value, compiled.diagnostics.map((d) => d.message).join('\n')).toBeDefined();
  return toFlinkSql(compiled.value!);
}

describe('every example exports to Flink SQL that a Flink SQL grammar parses', () => {
  for (const file of EXAMPLES.filter((f) => !JAVASCRIPT.has(f))) {
    it(file, async () => {
      const exported = await exportFile(file);
      expect(exported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(flinkSyntaxErrors(exported.text)).toEqual([]);
      const golden = file.startsWith('examples/nexmark/') ? `nexmark-${basename(file, '.pipe')}` : basename(file, '.pipe');
      await expect(exported.text).toMatchFileSnapshot(`golden/${golden}.sql`);
    });
  }

  it('the warnings name the documented rewrites', async () => {
    const codes = async (file: string) => (await exportFile(file)).diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(await codes('examples/orders-revenue.pipe')).toEqual([
      "SLC7010 the directory '.sluice/checkpoints' of 'state.checkpoints.dir' behaves differently on Flink: a Flink cluster resolves it on every TaskManager, not on this machine",
      "SLC7010 datagen column 'ordered_at' of 'orders' behaves differently on Flink: Flink's datagen makes random TIMESTAMPs up to 'max-past' before the current time, not between 'fields.ordered_at.min' and 'fields.ordered_at.max'",
    ]);
    expect(await codes('examples/fraud-alerts.pipe')).toEqual([
      "SLC7010 'csv.header' = 'true' of 'payments' behaves differently on Flink: Flink's csv format has no header line: it reads the first line of every file as a row, and matches columns by position, not by name",
    ]);
  });

  it('a PROCESS step is an error naming its uid', async () => {
    const exported = await exportFile('examples/process-alerts.pipe');
    expect(exported.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([
      "SLC7002 the PROCESS function spending_spree() in step 'spending-sprees' is JavaScript, which cannot run on Flink",
    ]);
  });
});
