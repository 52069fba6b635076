import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { runChild, runWithKills, seededRandom } from '../checkpoint/chaos-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { LOCAL_POSTGRES, postgresUnavailableReason, testClient, uniqueTableName } from '../../connectors/postgres/test-helpers.js';
import { postgresPipe } from './pipeline.js';

/**
 * Issue 12's sink half of "done means": Nexmark bids → a continuous aggregate upserted into PostgreSQL and a
 * window aggregate appended to PostgreSQL, run in a child process killed with SIGKILL at random moments (and once
 * right after its first completed checkpoint, around the commit) and resumed with `--resume`: both tables equal
 * those of an undisturbed run, row for row, with no duplicate in the append table. SLUICE_CHAOS_SEED replays a run.
 */
const SEED = Number(process.env['SLUICE_CHAOS_SEED'] ?? Date.now() % 1_000_000);
const EVENTS = 90_000;
const EVENTS_PER_SECOND = 30_000;
const TIMEOUT_MS = 180_000;

let skipReason: string | undefined;
let admin: Client;
const tables: string[] = [];
let reference: { totals: string[]; windows: string[] };

function graphFor(dir: string, parallelism: number) {
  const totals = uniqueTableName('eo_totals');
  const windows = uniqueTableName('eo_windows');
  tables.push(totals, windows);
  const graph = compilePipe(postgresPipe({ url: LOCAL_POSTGRES, totals, windows, events: EVENTS, eventsPerSecond: EVENTS_PER_SECOND }), {
    settings: {
      'pipeline.name': 'pg-totals',
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': path.join(dir, 'checkpoints'),
      'restart-strategy.type': 'none',
      'parallelism.default': String(parallelism),
    },
  });
  return { graph, totals, windows };
}

/** Every row of `table` as a line, sorted: equal lists mean the same rows, each as often. */
async function lines(table: string): Promise<string[]> {
  const { rows } = await admin.query({ text: `SELECT * FROM ${table}`, rowMode: 'array' });
  return (rows as unknown[][]).map((r) => JSON.stringify(r)).sort();
}

beforeAll(async () => {
  skipReason = await postgresUnavailableReason();
  if (skipReason !== undefined) {
    console.warn(`skipping the postgres exactly-once tests: ${skipReason}`);
    return;
  }
  admin = await testClient();
  const { graph, totals, windows } = graphFor(tempDir(), 1);
  const job = await Job.start(graph);
  await job.done;
  reference = { totals: await lines(totals), windows: await lines(windows) };
}, TIMEOUT_MS);

afterAll(async () => {
  if (admin === undefined) return;
  for (const table of tables) await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.query(`DELETE FROM sluice_sink_commits WHERE target_table = ANY($1)`, [tables]);
  await admin.end();
});

describe(`Nexmark → aggregates → PostgreSQL, killed with SIGKILL and resumed (seed ${SEED})`, () => {
  for (const { parallelism, kills } of [
    { parallelism: 1, kills: 2 },
    { parallelism: 2, kills: 3 },
  ]) {
    it(
      `the upserted and the appended table equal an undisturbed run's (parallelism ${parallelism})`,
      async (context) => {
        if (skipReason !== undefined) return context.skip();
        const dir = tempDir();
        const { graph, totals, windows } = graphFor(dir, parallelism);
        const graphFile = path.join(dir, 'job.json');
        fs.writeFileSync(graphFile, JSON.stringify(graph));
        // Kills between 0.6 and 2 s after the start, when checkpoints have completed and output is being written.
        const random = seededRandom(SEED + parallelism);
        const run = await runWithKills(graphFile, { kills, killWindowMs: 2000, random: () => 0.3 + 0.7 * random() });
        expect(run.kills).toBeGreaterThan(0);
        expect(run.starts.some((start) => (start as { kind: string }).kind === 'restored')).toBe(true);
        expect(reference.totals.length).toBeGreaterThan(100);
        expect(reference.windows.length).toBeGreaterThan(10);
        expect(await lines(totals)).toEqual(reference.totals);
        expect(await lines(windows)).toEqual(reference.windows);
      },
      TIMEOUT_MS,
    );
  }

  it(
    'killed as soon as its first checkpoint completed (before or after the commit), the resumed run commits it once',
    async (context) => {
      if (skipReason !== undefined) return context.skip();
      const dir = tempDir();
      const { graph, totals, windows } = graphFor(dir, 2);
      const graphFile = path.join(dir, 'job.json');
      fs.writeFileSync(graphFile, JSON.stringify(graph));
      const first = await runChild(graphFile, 'checkpoint');
      expect(first.killed).toBe(true);
      const rest = await runChild(graphFile, undefined);
      expect(rest.code, rest.stderr).toBe(0);
      expect((rest.start as { kind: string }).kind).toBe('restored');
      expect(await lines(totals)).toEqual(reference.totals);
      expect(await lines(windows)).toEqual(reference.windows);
    },
    TIMEOUT_MS,
  );
});
