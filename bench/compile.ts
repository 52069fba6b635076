/**
 * Compile time of a generated program of about 1,000 statements (views, window aggregates, interval joins,
 * sinks and INSERTs over one Nexmark source), parse included; then of one expression that is a long chain
 * (`a + a + …`, `p OR p OR …`), with the runtime's code generation for it. `tsx bench/compile.ts [statements]
 * [chain terms]`. Not a test: numbers vary by machine.
 */
import { compile } from '../compiler/compile.js';
import { compileProjection } from '../runtime/expressions/compile-expr.js';

const statements = Number(process.argv[2] ?? 1_000);
const GROUP = 4;

function program(count: number): string {
  const lines = [
    `CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3),
      extra STRING, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
      WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '100000') UID 'bid-source';`,
  ];
  for (let i = 0; lines.length < count; i++) {
    lines.push(
      `CREATE VIEW v${i} AS FROM bid |> WHERE price > ${i} AND channel <> 'x' |> EXTEND price * 2 AS double_price;`,
      `CREATE VIEW w${i} AS FROM v${i} |> WINDOW TUMBLE(date_time, INTERVAL '10' SECOND)
        |> AGGREGATE COUNT(*) AS n, MAX(double_price) AS top GROUP BY auction, window_start, window_end UID 'agg-${i}';`,
      `CREATE SINK s${i} WITH ('connector' = 'blackhole') UID 'sink-${i}';`,
      `INSERT INTO s${i} FROM w${i} AS w
        |> JOIN v${i} AS v ON w.auction = v.auction AND v.date_time BETWEEN w.window_end - INTERVAL '10' SECOND AND w.window_end UID 'join-${i}'
        |> SELECT w.auction, w.n, v.price;`,
    );
  }
  return lines.slice(0, Math.max(count, 1 + GROUP)).join('\n');
}

const chainTerms = Number(process.argv[3] ?? 10_000);

const text = program(statements);
compile(text); // warm-up: JIT and lazily built parser tables
// CPU time next to wall time: on a busy machine the wall time mostly measures the other processes.
const times: number[] = [];
const cpuTimes: number[] = [];
let operators = 0;
for (let run = 0; run < 5; run++) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = compile(text, { file: 'bench.pipe' });
  times.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
  if (result.value === undefined) throw new Error(`the generated program does not compile: ${result.diagnostics[0]?.message}`);
  operators = result.value.operators.length;
}
const median = (values: number[]): string => [...values].sort((a, b) => a - b)[values.length >> 1]!.toFixed(1);
console.log(`${statements} statements (${text.length} characters) → ${operators} operators`);
console.log(`compile: median ${median(times)} ms wall, ${median(cpuTimes)} ms CPU over ${times.length} runs`);

/** CPU milliseconds of `run`, median of five after a warm-up. */
function cpuMedian(run: () => void): string {
  run();
  const used: number[] = [];
  for (let i = 0; i < 5; i++) {
    const cpu = process.cpuUsage();
    run();
    const { user, system } = process.cpuUsage(cpu);
    used.push((user + system) / 1000);
  }
  return median(used);
}

for (const [name, term, operator] of [['+', 'a', '+'], ['OR', 'a > 0', 'OR']] as const) {
  const chain = Array.from({ length: chainTerms }, () => term).join(` ${operator} `);
  const source = `CREATE SOURCE src (a BIGINT) WITH ('connector' = 'datagen') UID 'src';
    CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
    INSERT INTO out FROM src |> SELECT ${chain} AS r;`;
  const compiled = (): NonNullable<ReturnType<typeof compile>['value']> => {
    const { value, diagnostics } = compile(source);
    if (value === undefined) throw new Error(`the ${name} chain does not compile: ${diagnostics[0]?.message}`);
    return value;
  };
  const project = compiled().operators.find((op) => op.spec.kind === 'project')!;
  const exprs = project.spec.kind === 'project' ? project.spec.exprs : [];
  console.log(`${chainTerms}-term ${name} chain: compile median ${cpuMedian(compiled)} ms CPU, code generation ${cpuMedian(() => compileProjection(exprs))} ms CPU`);
}
