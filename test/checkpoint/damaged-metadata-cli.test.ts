import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../cli/commands/savepoint.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { captureIO } from '../cli/capture-io.js';
import { runInProcess } from '../run/run-in-process.js';

/**
 * `sluice run --resume` / `--from` against checkpoints whose `_metadata` was really damaged on disk: edited,
 * renamed, truncated, deleted. A bounded pipeline is run to its end (checkpoint 1) and resumed (checkpoint 2, of
 * the finished state), then checkpoint 2 is damaged.
 */
const PIPE = `
SET 'pipeline.name' = 'counts';
SET 'execution.checkpointing.interval' = '1 h';
SET 'state.backend' = 'fs';
SET 'state.checkpoints.dir' = '{dir}/checkpoints';
SET 'state.checkpoints.num-retained' = '{retained}';
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3000', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A test directory with counts.pipe, and a way to run it through the command line, in process. */
function setUp(retained = 5) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-damaged-meta-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'counts.pipe'), PIPE.replace('{retained}', String(retained)).replace('{dir}', dir));
  const jobDir = path.join(dir, 'checkpoints', 'counts');
  const chk = (id: number) => path.join(jobDir, `chk-${id}`);
  const run = (flags: { resume?: boolean; from?: string } = {}) => runInProcess('counts.pipe', { resume: flags.resume ?? false, ...(flags.from === undefined ? {} : { from: flags.from }) }, { cwd: dir });
  const checkpoints = () => fs.readdirSync(jobDir).filter((n) => n.startsWith('chk-')).sort();
  return { dir, jobDir, chk, run, checkpoints };
}

/** Checkpoints 1 and 2 of the counts pipeline, both complete. */
async function twoCheckpoints(retained?: number) {
  const test = setUp(retained);
  expect((await test.run()).code).toBe(0);
  expect((await test.run({ resume: true })).code).toBe(0);
  expect(test.checkpoints()).toEqual(['chk-1', 'chk-2']);
  return test;
}

/** The stderr lines of a resume that say where the state came from. */
function restoreLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^(restored from|nothing to resume|\s+skipped)/.test(line));
}

describe('sluice run --resume with a damaged _metadata', () => {
  it('skips a checkpoint whose source offset was edited (its checksum no longer matches), saying so, and refuses it with --from', async () => {
    const { chk, run } = await twoCheckpoints();
    const metadata = path.join(chk(2), '_metadata');
    const text = fs.readFileSync(metadata, 'utf8');
    expect(text).toContain('"nextIndex": 3000');
    fs.writeFileSync(metadata, text.replace('"nextIndex": 3000', '"nextIndex": 2000'));

    const resumed = await run({ resume: true });
    expect(resumed.code).toBe(0);
    expect(restoreLines(resumed.stderr)).toEqual([
      `restored from checkpoint 1 at ${chk(1)}`,
      `  skipped chk-2: ${metadata} does not match its checksum: its content was altered after it was written (edited by hand, or damaged on disk)`,
    ]);

    const refused = await run({ from: chk(2) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error[SLC9140]: cannot restore from '${chk(2)}': it is damaged: ${metadata} does not match its checksum`);
    expect(refused.stderr).toMatch(/\(restore an intact snapshot instead: `--resume` takes the newest intact checkpoint/);
  });

  it('skips a checkpoint directory renamed to another id', async () => {
    const { chk, run } = await twoCheckpoints();
    fs.renameSync(chk(2), chk(5));
    const resumed = await run({ resume: true });
    expect(resumed.code).toBe(0);
    expect(restoreLines(resumed.stderr)).toEqual([
      `restored from checkpoint 1 at ${chk(1)}`,
      `  skipped chk-5: ${chk(5)}/_metadata is checkpoint 2, but its directory is chk-5: the directory was renamed or the file copied from another checkpoint`,
    ]);
    // New checkpoints are numbered after every directory seen, damaged ones included.
    expect(fs.existsSync(chk(6))).toBe(true);
  });

  it('skips a checkpoint whose _metadata was truncated, and one whose _metadata was deleted, each with a line', async () => {
    const { chk, run, checkpoints } = await twoCheckpoints();
    const truncated = path.join(chk(1), '_metadata');
    fs.truncateSync(truncated, Math.floor(fs.statSync(truncated).size / 2));
    fs.rmSync(path.join(chk(2), '_metadata'));
    // A checkpoint a killed process was writing: a state file, no _metadata. Removed without a word.
    fs.mkdirSync(chk(3));
    fs.copyFileSync(path.join(chk(2), 'per-v-0.kstate'), path.join(chk(3), 'per-v-0.kstate'));

    const resumed = await run({ resume: true });
    expect(resumed.code).toBe(0);
    expect(restoreLines(resumed.stderr)).toEqual([
      expect.stringMatching(/^nothing to resume: no usable completed checkpoint of pipeline 'counts' in .*: starting from scratch$/),
      `  skipped chk-2: ${chk(2)}/_metadata is missing, yet the checkpoint completed (_completed is there): it was deleted`,
      expect.stringMatching(new RegExp(`^  skipped chk-1: ${truncated} is not valid JSON\\. Likely causes: the file was truncated`)),
    ]);
    // Both damaged directories are left to look at; the incomplete one is gone.
    expect(checkpoints()).toEqual(['chk-1', 'chk-2', 'chk-4']);
  });

  it('deletes a damaged checkpoint directory once num-retained newer checkpoints completed, not before', async () => {
    const { chk, run, checkpoints } = await twoCheckpoints(2);
    fs.rmSync(path.join(chk(2), '_metadata'));
    expect(restoreLines((await run({ resume: true })).stderr)).toEqual([
      `restored from checkpoint 1 at ${chk(1)}`,
      `  skipped chk-2: ${chk(2)}/_metadata is missing, yet the checkpoint completed (_completed is there): it was deleted`,
    ]);
    // Retained: 1 and 3; the damaged 2 is newer than one of them.
    expect(checkpoints()).toEqual(['chk-1', 'chk-2', 'chk-3']);
    expect(restoreLines((await run({ resume: true })).stderr)).toEqual([`restored from checkpoint 3 at ${chk(3)}`]);
    expect(checkpoints()).toEqual(['chk-3', 'chk-4']);
  });

  it('reports the damage in sluice savepoint inspect too', async () => {
    const { dir, chk } = await twoCheckpoints();
    const metadata = path.join(chk(2), '_metadata');
    fs.writeFileSync(metadata, fs.readFileSync(metadata, 'utf8').replace('"checkpointId": 2', '"checkpointId": 1'));
    const io = captureIO(dir);
    expect(exitCodeFor(await runInspect(chk(2), undefined, io))).toBe(2);
    expect(io.err()).toContain(`${metadata} does not match its checksum`);
  });
});

describe('a version 2 checkpoint (no checksum), written by an earlier Sluice', () => {
  const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'v2-counts', 'chk-1');

  it('still restores, by --resume and by --from, and the next checkpoint is written in the current version', async () => {
    const { chk, run } = setUp();
    fs.cpSync(FIXTURE, chk(1), { recursive: true });
    expect(fs.readFileSync(path.join(chk(1), '_metadata'), 'utf8')).toMatch(/"version": 2,/);
    const resumed = await run({ resume: true });
    expect(resumed.code).toBe(0);
    expect(restoreLines(resumed.stderr)).toEqual([`restored from checkpoint 1 at ${chk(1)}`]);
    expect(fs.readFileSync(path.join(chk(2), '_metadata'), 'utf8')).toMatch(/"version": 10,\n {2}"checksum": "[0-9a-f]{64}",/);

    const restored = await run({ from: FIXTURE });
    expect(restored.code).toBe(0);
    expect(restoreLines(restored.stderr)).toEqual([`restored from checkpoint 1 at ${FIXTURE}`]);
  });
});
