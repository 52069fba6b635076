import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { LOCK_OWNER_FILE } from '../../runtime/locks/lock-owner.js';
import { STATE_DIR_PREFIX } from '../../runtime/locks/local-state-dir.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { compilePipe } from '../operators/run-pipe.js';
import { startRun, testEnvironment, until } from '../run/run-in-process.js';
import { spawnSluice, type SluiceProcess } from '../run/spawn-sluice.js';

/** Counts per value, endlessly, in the disk backend (an LMDB store in the job's local state directory). */
const pipe = (name: string, checkpoints: string | null) => `
SET 'pipeline.name' = '${name}';
SET 'state.backend.type' = 'disk';
${checkpoints === null ? '' : `SET 'execution.checkpointing.interval' = '200ms';\nSET 'state.checkpoints.dir' = '${checkpoints}';`}
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '500', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';
`;

// Jobs make their state directories under the OS temp directory: a private one per test file, so that the
// directories of other tests running meanwhile are neither seen nor touched.
let tmp: string;
const previousTmp = process.env['TMPDIR'];
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'sluice-leftovers-'));
  process.env['TMPDIR'] = tmp;
});
afterAll(() => {
  if (previousTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = previousTmp;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const stateDirs = () => fs.readdirSync(tmp).filter((name) => name.startsWith(STATE_DIR_PREFIX)).sort();
const registered = (runtime: string) => fs.readdirSync(runtime).filter((name) => name.endsWith('.json'));
const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

describe('leftovers of dead processes', () => {
  let killed: SluiceProcess | undefined;
  afterAll(async () => {
    killed?.kill('SIGKILL');
    await killed?.exit;
  });

  it('removes the state directory and the registration of a job killed with SIGKILL at the next start, never a live job\'s', async () => {
    const dir = tempDir();
    const runtime = path.join(dir, 'runtime');
    fs.writeFileSync(path.join(dir, 'killed.pipe'), pipe('killed', path.join(dir, 'checkpoints')));
    fs.writeFileSync(path.join(dir, 'next.pipe'), pipe('next', null));

    const live = await Job.start(compilePipe(pipe('live', null)));
    await until(() => stateDirs().length === 1 && files(path.join(tmp, stateDirs()[0]!)).includes('attempt-1/per-v.0.lmdb/data.mdb'));
    const liveDir = stateDirs()[0]!;

    killed = spawnSluice(['run', 'killed.pipe', '--quiet'], dir, { TMPDIR: tmp, SLUICE_RUNTIME_DIR: runtime });
    const killedDir = () => stateDirs().find((name) => name !== liveDir);
    await until(() => {
      const name = killedDir();
      return name !== undefined && files(path.join(tmp, name)).includes('attempt-1/per-v.0.lmdb/data.mdb') && fs.existsSync(runtime) && registered(runtime).length === 1;
    }, 120_000);
    const deadDir = killedDir()!;
    killed.kill('SIGKILL');
    expect((await killed.exit).signal).toBe('SIGKILL');
    // What SIGKILL leaves: the LMDB store (data and lock file), the registry entry and the control socket.
    expect(files(path.join(tmp, deadDir))).toEqual(expect.arrayContaining([LOCK_OWNER_FILE, 'attempt-1/per-v.0.lmdb/data.mdb', 'attempt-1/per-v.0.lmdb/lock.mdb']));
    expect(fs.readdirSync(runtime).map((name) => path.extname(name)).sort()).toEqual(['.json', '.sock']);
    const deadRegistration = fs.readdirSync(runtime);

    const environment = testEnvironment();
    const next = startRun(path.join(dir, 'next.pipe'), { quiet: true }, { cwd: dir, env: environment, vars: { SLUICE_RUNTIME_DIR: runtime } });
    await until(() => !stateDirs().includes(deadDir) && registered(runtime).some((name) => !deadRegistration.includes(name)));
    expect(fs.readdirSync(runtime).filter((name) => deadRegistration.includes(name))).toEqual([]);
    // The live job's directory is untouched, store and all.
    expect(stateDirs()).toContain(liveDir);
    expect(files(path.join(tmp, liveDir))).toEqual(expect.arrayContaining([LOCK_OWNER_FILE, 'attempt-1/per-v.0.lmdb/data.mdb']));

    environment.signals.emit('SIGINT');
    expect(await next.exit).toBe(130);
    await live.cancel();
    // Without checkpoints, each job removes its own directory when it ends.
    expect(stateDirs()).toEqual([]);
  }, 240_000);
});
