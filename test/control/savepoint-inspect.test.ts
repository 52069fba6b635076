import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../cli/commands/savepoint.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { captureIO } from '../cli/capture-io.js';
import { copyAsSavepoint, countsCheckpoint } from './snapshot-fixture.js';

let dir: string;
let savepoint: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-'));
  savepoint = await copyAsSavepoint(await countsCheckpoint(join(dir, 'checkpoints')), join(dir, 'savepoint-counts-1a2b3c'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function inspect(path: string, dump?: string) {
  const io = captureIO(dir);
  const code = exitCodeFor(await runInspect(path, dump, io));
  return { code, out: io.out(), err: io.err() };
}

describe('sluice savepoint inspect', () => {
  it('names the job it came from and lists every operator with its state and how much each holds', async () => {
    const { code, out } = await inspect('savepoint-counts-1a2b3c');
    expect(code).toBe(0);
    const [header, ...rest] = out.split('\n\n');
    expect(header).toMatch(
      new RegExp(`^savepoint ${savepoint}\n  pipeline 'counts', job counts-[0-9a-f]{8}, checkpoint \\d+\n  taken .* UTC; max parallelism 128; written by the fs backend$`),
    );
    expect(rest.join('\n\n')).toMatch(
      new RegExp(
        [
          "^ticks  source 'Source\\(ticks\\)', parallelism 1",
          '  splits  operator list \\(split\\)  1 item',
          '',
          "per-v  group_aggregate 'Aggregate\\(COUNT\\(\\*\\) AS n GROUP BY v\\)', parallelism 1, keyed state \\d+ bytes in 1 file",
          '  accumulators         keyed value           5 entries',
          '  __timers.event       keyed map \\(internal\\)  0 entries',
          '  __timers.processing  keyed map \\(internal\\)  0 entries',
          '',
        ].join('\n'),
      ),
    );
  });

  it("dumps an operator's keyed state as JSON lines, keys as rows of values", async () => {
    const { code, out } = await inspect(join(savepoint, '_metadata'), 'per-v');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n').map((line) => JSON.parse(line) as { state: string; key: number[]; value: number[] });
    expect(lines.map((l) => l.key[0]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(lines.every((l) => l.state === 'accumulators')).toBe(true);
    expect(lines.reduce((sum, l) => sum + l.value[0]!, 0)).toBe(3000);
  });

  it("dumps a source's operator state with the subtask that wrote it", async () => {
    const { out } = await inspect(savepoint, 'ticks');
    expect(JSON.parse(out)).toMatchObject({ scope: 'operator', state: 'splits', subtask: 0, item: { finished: true } });
  });

  it('is a usage error, listing the uids, for an operator the savepoint does not have', async () => {
    const { code, err } = await inspect(savepoint, 'per-category');
    expect(code).toBe(2);
    expect(err).toContain("has no operator 'per-category' (give one of its operator uids: ticks, per-v, out");
  });

  it('names the damaged file when a state file was altered', async () => {
    const damaged = join(dir, 'damaged');
    await rm(damaged, { recursive: true, force: true });
    await copyAsSavepoint(savepoint, damaged);
    const file = (await readdir(damaged)).find((name) => name.endsWith('.kstate'))!;
    // One bit: the fixture is a checkpoint's copy, whose state files are binary (metadata version 7).
    const bytes = await readFile(join(damaged, file));
    bytes[bytes.length >> 1]! ^= 0x01;
    await writeFile(join(damaged, file), bytes);
    const { code, err } = await inspect(damaged);
    expect(code).toBe(2);
    expect(err).toContain(`state file ${join(damaged, file)} does not match its sha256 checksum`);
  });

  it('is a usage error for a directory without _metadata', async () => {
    const { code, err } = await inspect('.');
    expect(code).toBe(2);
    expect(err).toMatch(/^error\[SLC9105\]: '\.' is not a savepoint or checkpoint: .* holds no _metadata file/);
  });
});
