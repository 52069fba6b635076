import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDispose } from '../../cli/commands/savepoint.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { captureIO } from '../cli/capture-io.js';
import { METADATA_FILE, parseMetadata, serializeMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { copyAsSavepoint, countsCheckpoint } from './snapshot-fixture.js';

let dir: string;
let checkpoint: string;
let savepoint: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-dispose-'));
  checkpoint = await countsCheckpoint(join(dir, 'checkpoints'));
});
beforeEach(async () => {
  savepoint = join(dir, 'savepoint-counts-1a2b3c');
  await rm(savepoint, { recursive: true, force: true });
  await copyAsSavepoint(checkpoint, savepoint);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function dispose(path: string) {
  const io = captureIO(dir);
  const code = exitCodeFor(await runDispose(path, io));
  return { code, err: io.err() };
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe('sluice savepoint dispose', () => {
  it('deletes a savepoint directory and says so', async () => {
    expect(await dispose('savepoint-counts-1a2b3c')).toEqual({ code: 0, err: `deleted savepoint ${savepoint}\n` });
    expect(await exists(savepoint)).toBe(false);
  });

  it('refuses a checkpoint, which Sluice manages itself', async () => {
    const { code, err } = await dispose(checkpoint);
    expect(code).toBe(2);
    expect(err).toMatch(/^error\[SLC9105\]: '.*' is not a savepoint: it is checkpoint \d+ of job counts-[0-9a-f]{8}; Sluice deletes checkpoints itself/);
    expect(await exists(join(checkpoint, '_metadata'))).toBe(true);
  });

  it('refuses a directory that also holds files the savepoint does not reference', async () => {
    await mkdir(join(savepoint, 'notes'));
    await writeFile(join(savepoint, 'notes', 'todo.txt'), 'keep me');
    const { code, err } = await dispose(savepoint);
    expect(code).toBe(2);
    expect(err).toContain("holds files that are not part of the savepoint: notes/todo.txt (dispose deletes a directory only when it holds nothing but the savepoint");
    expect(await exists(join(savepoint, 'notes', 'todo.txt'))).toBe(true);
  });

  it('refuses a directory without a savepoint _metadata, and the _metadata file itself', async () => {
    await mkdir(join(dir, 'plain'), { recursive: true });
    expect((await dispose('plain')).err).toMatch(/^error\[SLC9105\]: 'plain' is not a savepoint: .* holds no _metadata file/);
    expect((await dispose(join(savepoint, '_metadata'))).err).toContain('it is a file; give the directory that holds the _metadata file');
    await writeFile(join(savepoint, '_metadata'), '{"format": "sluice-checkpoint-metadata", "version": 1}');
    const { code, err } = await dispose(savepoint);
    expect(code).toBe(2);
    expect(err).toContain('is not valid version 1 metadata');
    expect((await readdir(savepoint)).length).toBeGreaterThan(1);
  });

  it('refuses a savepoint whose state files lie outside its directory, as an incremental checkpoint shares them', async () => {
    const read = parseMetadata(await readFile(join(savepoint, METADATA_FILE), 'utf8'), savepoint);
    if ('error' in read) throw new Error(read.error);
    const operators = read.metadata.operators.map((op) => ({
      ...op,
      subtasks: op.subtasks.map((s) => ({ ...s, keyedState: s.keyedState.map((f) => ({ ...f, path: `../shared/${f.path}` })) })),
    }));
    await writeFile(join(savepoint, METADATA_FILE), serializeMetadata({ ...read.metadata, operators }));
    const { code, err } = await dispose(savepoint);
    expect(code).toBe(2);
    expect(err).toMatch(/its _metadata references \.\.\/shared\/\S+, outside the directory, so it is not a self-contained savepoint/);
    expect(await exists(savepoint)).toBe(true);
  });

  it('refuses a path that does not exist', async () => {
    expect(await dispose('missing')).toMatchObject({ code: 2, err: expect.stringMatching(/^error\[SLC9105\]: 'missing' is not a savepoint directory: no such file or directory/) });
  });
});
