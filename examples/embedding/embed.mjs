// Sluice inside a Node program: compile a pipeline, feed its source from an async iterable, register a scalar
// UDF, and read its sink through a callback. The connectors named in the program (datagen, blackhole) are
// replaced by the feed and the callback, matched by UID.
//
//   npm run build && node examples/embedding/embed.mjs
import { compile, formatDiagnostics, hasErrors, Job, jobFunctions, SourceText } from 'sluice';

const program = `
SET 'pipeline.name' = 'embedded-orders';

CREATE SOURCE orders (
  customer STRING NOT NULL,
  amount DOUBLE,
  ordered_at TIMESTAMP(3),
  WATERMARK FOR ordered_at AS ordered_at - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen') UID 'orders';

CREATE SINK totals WITH ('connector' = 'blackhole') UID 'totals';

INSERT INTO totals
FROM orders
|> EXTEND with_vat(amount) AS gross
|> WINDOW TUMBLE(ordered_at, INTERVAL '1' MINUTE)
|> AGGREGATE COUNT(*) AS orders, SUM(gross) AS gross
   GROUP BY customer, window_start, window_end
   UID 'gross-per-customer';
`;

// One definition serves both sides: compile() checks calls against its signature, the job runs its fn.
const withVat = {
  name: 'with_vat',
  args: [{ name: 'DOUBLE' }],
  returns: { name: 'DOUBLE' },
  fn: (amount) => Math.round(amount * 120) / 100,
};
const functions = { scalars: [withVat] };

const compiled = compile(program, { file: 'embedded.pipe', functions });
if (hasErrors(compiled.diagnostics)) {
  const sources = new Map([['embedded.pipe', new SourceText('embedded.pipe', program)]]);
  process.stderr.write(formatDiagnostics(compiled.diagnostics, sources));
  process.exit(1);
}

/** Orders as they might arrive from a queue: objects by column name; TIMESTAMP as a Date or epoch ms. */
async function* orders() {
  const start = Date.UTC(2024, 0, 1, 12, 0, 0);
  const customers = ['ada', 'grace', 'linus'];
  for (let i = 0; i < 12; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1)); // as if waiting for the next message
    yield { customer: customers[i % 3], amount: 10 * (i + 1), ordered_at: new Date(start + i * 10_000) };
  }
}

const results = [];
const job = await Job.start(compiled.value, {
  ...jobFunctions(functions),
  sources: { orders: orders() },
  // Rows arrive in batches, in the sink's column order; copy what you keep. Return nothing, or a promise to
  // slow the job down until it settles.
  sinks: {
    totals: (rows) => {
      for (const row of rows) results.push([...row]);
    },
  },
});

const result = await job.done;
for (const [customer, windowStart, , count, gross] of results.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))) {
  console.log(`${new Date(windowStart).toISOString()}  ${customer.padEnd(6)} ${count} orders  ${gross.toFixed(2)} gross`);
}
const read = result.metrics.operators.find((op) => op.uid === 'orders').recordsOut;
console.log(`${result.status}: ${read} orders read, ${results.length} totals written in ${Math.round(result.durationMs)} ms`);
