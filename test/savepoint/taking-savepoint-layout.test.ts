import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { keyedEntriesByUid, savepointSetUp } from './taking-harness.js';

describe('job.savepoint', () => {
  let reference: string[];
  beforeAll(async () => {
    const { start, rows } = savepointSetUp({ 'execution.checkpointing.interval': '1h' });
    await (await start()).done;
    reference = rows();
  });

  it('writes a new self-contained directory in the canonical format, even for a disk job, and it still opens after a move', async () => {
    const { dir, savepoints, startRunning, rows } = savepointSetUp({ 'state.backend': 'disk' });
    const job = await startRunning();
    const { path: savepoint } = await job.savepoint();
    expect(path.dirname(savepoint)).toBe(savepoints);
    expect(path.basename(savepoint)).toMatch(new RegExp(`^savepoint-${job.jobId}-[0-9a-f]{12}$`));
    const read = parseMetadata(fs.readFileSync(path.join(savepoint, '_metadata'), 'utf8'), '_metadata');
    if ('error' in read) throw new Error(read.error);
    expect(read.metadata.type).toBe('savepoint');
    expect(read.metadata.stateBackend).toBe('disk');
    const files = read.metadata.operators.flatMap((op) => op.subtasks.flatMap((s) => s.keyedState.map((f) => f.path)));
    // Every state file in full inside the directory: none of the job's incremental shared/ files.
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => !f.includes('/') && fs.existsSync(path.join(savepoint, f)))).toBe(true);
    // JSON lines, as `savepoint inspect --dump` and any version read them (checkpoints' files are binary).
    for (const f of files) expect(fs.readFileSync(path.join(savepoint, f), 'utf8')).toMatch(/^\{"format":"sluice\.keyed-state","version":1,/);
    expect((await job.done).status).toBe('finished');
    expect(rows()).toEqual(reference);
    // Never deleted by Sluice, never among the checkpoints.
    expect(fs.existsSync(path.join(savepoint, '_metadata'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'checkpoints', job.graph.config.pipelineName)).some((n) => n.startsWith('savepoint'))).toBe(false);

    const moved = path.join(dir, 'elsewhere', path.basename(savepoint));
    fs.cpSync(savepoint, moved, { recursive: true });
    fs.rmSync(savepoint, { recursive: true });
    const entries = await keyedEntriesByUid(moved);
    expect(entries.has('persons-per-window')).toBe(true);
  });

});
