/**
 * Rows per CPU-second through a source fed by the Node API (`Job.start(graph, { sources })`), rows given as objects
 * and as arrays, into a counting callback sink: the cost of reading, checking and converting fed rows against the
 * source's schema, plus the smallest job around it. `tsx bench/fed-source.ts [rows]`. Not a test: numbers vary.
 */
import { compile } from '../compiler/compile.js';
import { Job } from '../runtime/execution/job.js';

const rows = Number(process.argv[2] ?? 1_000_000);

const PROGRAM = `
CREATE SOURCE bids (auction BIGINT NOT NULL, bidder STRING, price DOUBLE NOT NULL, live BOOLEAN, at TIMESTAMP(3) NOT NULL)
  WITH ('connector' = 'datagen') UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bids;
`;

const POOL = 1024;
const objects = Array.from({ length: POOL }, (_, i) => ({ auction: i * 7919, bidder: `bidder-${i}`, price: i + 0.25, live: i % 2 === 0, at: 1_700_000_000_000 + i }));
const arrays = objects.map((o) => [o.auction, o.bidder, o.price, o.live, o.at]);

/** The same pool of rows over and over: the feed itself costs next to nothing. */
function* cycle<T>(pool: readonly T[], n: number): Generator<T> {
  for (let i = 0; i < n; i++) yield pool[i % POOL]!;
}

async function measure(feed: Iterable<unknown>, n: number): Promise<{ perCpuSecond: number; wallSeconds: number }> {
  const { value: graph } = compile(PROGRAM, { file: 'bench.pipe' });
  let received = 0;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const job = await Job.start(graph!, {
    sources: { bids: feed as Iterable<readonly unknown[]> },
    sinks: {
      out: (batch) => {
        received += batch.length;
      },
    },
  });
  await job.done;
  const used = process.cpuUsage(cpu);
  if (received !== n) throw new Error(`the sink received ${received} rows, not ${n}`);
  return { perCpuSecond: n / ((used.user + used.system) / 1e6), wallSeconds: (performance.now() - wall) / 1000 };
}

const thousands = (n: number): string => `${Math.round(n / 1000).toLocaleString('en-US')} K`;

// A warm-up run of each shape first, so that the measured runs see optimised code.
for (const [name, pool] of [['objects', objects], ['arrays', arrays]] as const) {
  await measure(cycle<unknown>(pool, rows / 10), rows / 10);
  const result = await measure(cycle<unknown>(pool, rows), rows);
  console.log(`${name.padEnd(8)} ${rows.toLocaleString('en-US')} rows  ${thousands(result.perCpuSecond).padStart(8)} rows per CPU-second  (${result.wallSeconds.toFixed(1)} s wall)`);
}
