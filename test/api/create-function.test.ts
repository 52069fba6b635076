import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, hasErrors, Job, jobFunctions, loadCreatedFunctions, parseType } from '../../index.js';
import { checkCompatibility } from '../../compiler/savepoint-compat/check.js';
import { snapshotOf } from '../savepoint-compat/pipe-pairs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = 'examples/process-alerts.pipe';
const codes = (diagnostics: readonly { readonly code: string }[]) => diagnostics.map((d) => d.code);

describe('user functions through the Node API', () => {
  it('compiles with the definitions of examples/functions/alerts.js as they are, types spelled as strings', async () => {
    const { processes } = (await import(join(root, 'examples', 'functions', 'alerts.js'))) as { processes: never[] };
    const text = (await readFile(join(root, example), 'utf8')).replace(/^CREATE FUNCTION .*$/m, '');
    const { value, diagnostics } = compile(text, { file: example, functions: { processes } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const process = value!.operators.find((op) => op.uid === 'spending-sprees')!;
    expect(process.output.fields.map((f) => `${f.name} ${f.type.name}`)).toEqual(['account STRING', 'spree_start TIMESTAMP', 'total DOUBLE', 'payments BIGINT']);
  });

  it('reports a type it cannot read as SLC2043, naming where it is', () => {
    const scalars = [{ name: 'f', args: ['DECIMAL(40, 2)'], returns: 'BIGINT', fn: () => 1 }];
    const { value, diagnostics } = compile("CREATE SOURCE s (n BIGINT) WITH ('connector' = 'blackhole');", { functions: { scalars } });
    expect(value).toBeUndefined();
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'SLC2043 the functions given to compile() have an invalid signature: at functions.scalars[0].args[0]: expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)), got "DECIMAL(40, 2)"',
    ]);
  });

  it('exports the type parser', () => {
    expect(parseType('decimal(10, 2)')).toEqual({ name: 'DECIMAL', precision: 10, scale: 2 });
    expect(parseType(' VARCHAR(20) ')).toEqual({ name: 'STRING' });
    expect(parseType('TEXT')).toBeUndefined();
  });

  it('runs a program with CREATE FUNCTION: load its modules, compile, start', async () => {
    const text = await readFile(join(root, example), 'utf8');
    // Without loading, the compiler says what to do.
    expect(codes(compile(text, { file: example }).diagnostics)).toContain('SLC2042');

    const functions = await loadCreatedFunctions(text, { file: example, cwd: root });
    expect(functions.diagnostics).toEqual([]);
    expect(functions.value!.processes.map((p) => p.name)).toEqual(['spending_spree']);
    const compiled = compile(text, { file: example, functions: functions.value! });
    expect(hasErrors(compiled.diagnostics)).toBe(false);
    // The example's CSV path is relative to the working directory; feed the rows instead.
    const csv = (await readFile(join(root, 'examples', 'data', 'payments.csv'), 'utf8')).trim().split('\n').slice(1);
    const payments = csv.map((line) => {
      const [account, amount, merchant, paidAt] = line.split(',');
      return { account, amount: Number(amount), merchant, paid_at: new Date(paidAt!) };
    });
    const alerts: unknown[][] = [];
    const job = await Job.start(compiled.value!, {
      ...jobFunctions(functions.value!),
      sources: { payments },
      sinks: { 'spree-alerts-out': (rows) => void alerts.push(...rows.map((r) => [...r])) },
    });
    expect((await job.done).status).toBe('finished');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => (a[2] as number) >= 3000)).toBe(true);
  });

  it('leaves savepoint compatibility alone: adding CREATE FUNCTION changes no state', async () => {
    const text = await readFile(join(root, example), 'utf8');
    const functions = (await loadCreatedFunctions(text, { file: example, cwd: root })).value!;
    const withStatement = compile(text, { file: example, functions }).value!;
    const without = compile(text.replace(/^CREATE FUNCTION .*$/m, ''), { file: example, functions }).value!;
    const report = checkCompatibility(without, withStatement, snapshotOf(without), { allowNonRestoredState: false });
    expect(report.restorable).toBe(true);
    const verdicts = report.operators.flatMap((op) => op.states.map((s) => s.verdict));
    expect(verdicts.length).toBeGreaterThan(0);
    expect(new Set(verdicts)).toEqual(new Set(['compatible']));
  });
});
