import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommitRecords } from '../../connectors/file/commit-records.js';
import { Job } from '../../runtime/execution/job.js';
import { committedRows } from '../checkpoint/chaos-harness.js';
import { nexmarkJoinPipe } from '../checkpoint/nexmark-join-pipe.js';
import { compilePipe } from '../operators/run-pipe.js';
import { spawnSluice } from '../run/spawn-sluice.js';

/**
 * Issue 8, items 3 and 4: a job killed with SIGKILL whose newest checkpoint is then damaged falls back to an older
 * one, while its file sink already holds output the newer checkpoint committed. `sluice run --resume` refuses
 * (SLC9122) instead of writing those rows again, and `--rewind-sinks` moves them aside so the output is exact;
 * with every checkpoint damaged it refuses to start from scratch into that output (SLC9123). One killed run is
 * copied into a directory per damage (the pipeline uses relative paths).
 */
const EVENTS = 60_000;

let root: string;
let reference: string[];
/** The newest checkpoint id in the killed run's commit records: the barrier that closed its newest committed files. */
let committed: number;
/**
 * The completed checkpoint that committed them: `committed` itself, or a later one when checkpoint `committed` was
 * aborted (then the next to complete commits its files). `previous`: the newest completed one before `committed`.
 */
let newest: number;
let previous: number;

function pipe(): string {
  return [
    "SET 'pipeline.name' = 'fallback';",
    "SET 'execution.checkpointing.interval' = '100ms';",
    "SET 'state.checkpoints.dir' = 'checkpoints';",
    "SET 'state.checkpoints.num-retained' = '3';",
    "SET 'restart-strategy.type' = 'none';",
    nexmarkJoinPipe({ sinkDir: 'out', events: EVENTS, eventsPerSecond: 20_000 }),
  ].join('\n');
}

const checkpointDir = (dir: string, id: number) => join(dir, 'checkpoints', 'fallback', `chk-${id}`);
const completedIds = (dir: string) =>
  readdirSync(join(dir, 'checkpoints', 'fallback'))
    .map((name) => /^chk-(\d+)$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined && existsSync(join(checkpointDir(dir, Number(id)), '_metadata')))
    .map(Number)
    .sort((a, b) => a - b);

/** A copy of the killed run's directory to damage. */
function copyOfKilledRun(): string {
  const dir = mkdtempSync(join(root, 'case-'));
  for (const name of ['job.pipe', 'checkpoints', 'out']) cpSync(join(root, 'killed', name), join(dir, name), { recursive: true });
  return dir;
}

async function sluice(dir: string, ...flags: string[]) {
  const run = spawnSluice(['run', 'job.pipe', '--quiet', ...flags], dir);
  const { code } = await run.exit;
  return { code, stderr: run.stderr() };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-fall-back-'));
  const reference0 = join(root, 'reference');
  const job = await Job.start(compilePipe(nexmarkJoinPipe({ sinkDir: join(reference0, 'out'), events: EVENTS })));
  await job.done;
  reference = committedRows(join(reference0, 'out'));

  const killed = join(root, 'killed');
  mkdirSync(killed);
  writeFileSync(join(killed, 'job.pipe'), pipe());
  const run = spawnSluice(['run', 'job.pipe', '--quiet'], killed);
  let ended = false;
  void run.exit.then(() => (ended = true));
  // Killed once the sink committed the output of two checkpoints. A record is written before its file's rename:
  // a record whose file is still pending is output not yet committed (the committed-output check counts only part
  // files that are there), so only records whose file is in place count.
  const committedRecords = async () =>
    (await readCommitRecords(join(killed, 'out'), 'out')).filter((r) => existsSync(join(killed, 'out', r.file)));
  while (new Set((await committedRecords()).map((r) => r.checkpointId)).size < 2) {
    if (ended) throw new Error(`the run ended before it was killed:\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  run.kill('SIGKILL');
  expect((await run.exit).signal).toBe('SIGKILL');
  committed = Math.max(...(await committedRecords()).map((r) => r.checkpointId));
  const completed = completedIds(killed);
  newest = completed.find((id) => id >= committed)!;
  previous = completed.filter((id) => id < committed).at(-1)!;
  expect(newest, `completed: ${completed.join(', ')}`).toBeDefined();
  expect(previous, `completed: ${completed.join(', ')}`).toBeDefined();
  // Checkpoints completed after that commit hold no newer output: as if the kill came right after it.
  for (const id of completed.filter((id) => id > newest)) rmSync(checkpointDir(killed, id), { recursive: true });
}, 120_000);

afterAll(() => {
  if (process.env['KEEP'] === undefined) rmSync(root, { recursive: true, force: true });
  else console.log('kept', root);
});

const refusal = (restoring: string) =>
  new RegExp(`error\\[SLC9122\\]: file sink 'out' in .*/out already holds output committed by checkpoint ${committed}, newer than checkpoint ${restoring} being restored`);

describe('falling back past a damaged checkpoint whose output is committed', () => {
  it('refuses when a state file of the newest checkpoint is truncated, and --rewind-sinks then gives exact output', async () => {
    const dir = copyOfKilledRun();
    const stateFile = readdirSync(checkpointDir(dir, newest), { recursive: true, withFileTypes: true }).find((e) => e.name.endsWith('.kstate'))!;
    truncateSync(join(stateFile.parentPath, stateFile.name), 5);

    const refused = await sluice(dir, '--resume');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(refusal('\\d+'));
    expect(refused.stderr).toContain('--rewind-sinks');
    const before = committedRows(join(dir, 'out'));

    const rewound = await sluice(dir, '--resume', '--rewind-sinks');
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(committedRows(join(dir, 'out'))).toEqual(reference);
    const aside = readdirSync(join(dir, 'out')).filter((name) => name.startsWith('_rewound-after-chk-'));
    expect(aside).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(dir, 'out', aside[0]!, 'rewind.json'), 'utf8')) as { files: { checkpointId: number }[] };
    expect(Math.max(...manifest.files.map((f) => f.checkpointId))).toBe(committed);
    expect(before.length).toBeGreaterThan(0);
  }, 120_000);

  it('refuses when a bit of a state file is flipped, or _metadata is deleted', async () => {
    const flipped = copyOfKilledRun();
    const stateFile = readdirSync(checkpointDir(flipped, newest), { recursive: true, withFileTypes: true }).find((e) => e.name.endsWith('.kstate'))!;
    const bytes = readFileSync(join(stateFile.parentPath, stateFile.name));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x04;
    writeFileSync(join(stateFile.parentPath, stateFile.name), bytes);
    const deleted = copyOfKilledRun();
    rmSync(join(checkpointDir(deleted, newest), '_metadata'));
    for (const dir of [flipped, deleted]) {
      const refused = await sluice(dir, '--resume');
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(refusal(String(previous)));
    }
  }, 120_000);

  it('refuses to start from scratch when every checkpoint is damaged (SLC9123); --rewind-sinks starts over into a clean sink', async () => {
    const dir = copyOfKilledRun();
    for (const id of completedIds(dir)) rmSync(join(checkpointDir(dir, id), '_metadata'));
    const refused = await sluice(dir, '--resume');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`error\\[SLC9123\\]: cannot resume: no usable checkpoint of pipeline 'fallback' is left .* file sink 'out' in .*/out holds output committed by checkpoint ${committed}`));

    const rewound = await sluice(dir, '--resume', '--rewind-sinks');
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(committedRows(join(dir, 'out'))).toEqual(reference);
    expect(readdirSync(join(dir, 'out')).filter((name) => name.startsWith('.part-'))).toEqual([]);
  }, 120_000);

  it('refuses --rewind-sinks without --resume or --from (SLC9124)', async () => {
    const { code, stderr } = await sluice(copyOfKilledRun(), '--rewind-sinks');
    expect(code).toBe(2);
    expect(stderr).toContain('error[SLC9124]: --rewind-sinks needs --resume or --from');
  }, 60_000);
});
