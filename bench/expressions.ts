/**
 * Evaluations per second of compiled expressions next to the same logic written by hand in JS: the gap is
 * the cost of SQL semantics (NULL checks, rounding, code-point comparison) and of code generation.
 * `tsx bench/expressions.ts [evaluations]`. Not a test: numbers vary by machine.
 */
import { parse } from '../grammar/parse.js';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { checkExpr } from '../compiler/expressions/check-expr.js';
import { Scope } from '../compiler/expressions/scope.js';
import { BIGINT, STRING, TIMESTAMP3, decimal, type Field } from '../compiler/types/sql-type.js';
import { compileExpr } from '../runtime/expressions/compile-expr.js';

const evaluations = Number(process.argv[2] ?? 5_000_000);

const FIELDS: readonly Field[] = [
  { name: 'auction', type: BIGINT, nullable: false },
  { name: 'price', type: decimal(10, 2), nullable: false },
  { name: 'bonus', type: BIGINT, nullable: true },
  { name: 'name', type: STRING, nullable: false },
  { name: 'ts', type: TIMESTAMP3, nullable: false },
];

type Row = readonly unknown[];

const ROWS: readonly Row[] = Array.from({ length: 4096 }, (_, i) => [
  i * 7919,
  (i % 1000) + 0.25,
  i % 3 === 0 ? null : i,
  `bidder-${i}`,
  1_700_000_000_000 + i * 61_000,
]);

function compile(text: string): (row: Row) => unknown {
  const { value } = parse(`INSERT INTO k FROM s |> WHERE ${text};`);
  const step = value?.statements[0]?.kind === 'InsertInto' ? value.statements[0].pipeline.steps[0] : undefined;
  if (step?.kind !== 'WhereStep') throw new Error(`does not parse: ${text}`);
  const bag = new DiagnosticBag('bench');
  const typed = checkExpr(step.condition, Scope.fromFields(FIELDS), { bag, udfs: new Map() });
  if (typed === undefined) throw new Error(bag.items.map((d) => d.message).join('\n'));
  return compileExpr(typed);
}

/**
 * A fresh measuring loop per function, so that each loop's call site sees one function only (monomorphic) and
 * neither side is penalised by the other having run through the same loop.
 */
function rate(fn: (row: Row) => unknown): number {
  const loop = new Function(
    'rows',
    'n',
    'fn',
    'let hits = 0; for (let i = 0; i < n; i++) if (fn(rows[i & 4095]) != null) hits++; return hits;',
  ) as (rows: readonly Row[], n: number, fn: (row: Row) => unknown) => number;
  loop(ROWS, evaluations / 10, fn);
  const start = process.hrtime.bigint();
  loop(ROWS, evaluations, fn);
  return evaluations / (Number(process.hrtime.bigint() - start) / 1e9);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

const CASES: readonly { readonly sql: string; readonly byHand: (row: Row) => unknown }[] = [
  {
    sql: 'price * 0.9 > 100 AND auction % 10 = 0',
    byHand: (r) => (r[1] as number) * 0.9 > 100 && (r[0] as number) % 10 === 0,
  },
  {
    sql: 'COALESCE(bonus, 0) + auction',
    byHand: (r) => ((r[2] as number | null) ?? 0) + (r[0] as number),
  },
  {
    sql: "CASE WHEN name LIKE 'bidder-1%' THEN UPPER(name) ELSE SUBSTRING(name, 1, 3) END",
    byHand: (r) => ((r[3] as string).startsWith('bidder-1') ? (r[3] as string).toUpperCase() : (r[3] as string).slice(0, 3)),
  },
  {
    sql: "DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm')",
    byHand: (r) => {
      const d = new Date(r[4] as number);
      return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    },
  },
];

const format = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(13);
console.log(`${'expression'.padEnd(84)} ${'compiled/s'.padStart(13)} ${'by hand/s'.padStart(13)}`);
for (const { sql, byHand } of CASES) {
  const compiled = compile(sql);
  console.log(`${sql.padEnd(84)} ${format(rate(compiled))} ${format(rate(byHand))}`);
}
