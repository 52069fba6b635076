import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint, loadCheckpoint, CheckpointReadError } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { CheckpointRestoreError } from '../../runtime/checkpoint/restore/restore-error.js';
import { checkLoadedSnapshot } from '../../runtime/checkpoint/restore/snapshot-summary.js';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';

/** Bids counted per auction; `tail` is what follows the aggregate, `groupBy` its key. */
function bidsPipe(sinkDir: string, { groupBy = 'auction', tail = '', aggUid = 'bids-per-auction' } = {}): string {
  return `
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '2000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl') UID 'out';
INSERT INTO out
FROM bid
|> AGGREGATE COUNT(*) AS bids GROUP BY ${groupBy} UID '${aggUid}'
${tail};
`;
}

describe('checking a changed job against a retained checkpoint written by a real run', () => {
  let snapshot: string;
  let dir: string;
  beforeAll(async () => {
    // One run serves every test: its snapshot outlives each of them.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-check-'));
    const checkpoints = path.join(dir, 'checkpoints');
    const graph = compilePipe(bidsPipe(path.join(dir, 'out-0')), { settings: { 'parallelism.default': '2', 'state.checkpoints.dir': checkpoints, 'execution.checkpointing.interval': '1h' } });
    await (await Job.start(graph)).done;
    const jobDir = path.join(checkpoints, graph.config.pipelineName);
    snapshot = path.join(jobDir, fs.readdirSync(jobDir).find((n) => n.startsWith('chk-'))!);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = async (text: string, allowNonRestoredState = false) => {
    const opened = await openCheckpoint(snapshot);
    if ('error' in opened) throw new Error(opened.error);
    return checkLoadedSnapshot(await loadCheckpoint(opened.checkpoint), compilePipe(text), allowNonRestoredState)!;
  };

  it('finds a stateless step after the aggregate compatible, and records the job graph and state sizes', async () => {
    const report = await check(bidsPipe(path.join(dir, 'o'), { tail: '|> WHERE bids > 1' }));
    expect(report.restorable).toBe(true);
    const counts = report.operators.find((op) => op.uid === 'bids-per-auction')!;
    expect(counts.status).toBe('restored');
    expect(counts.states.every((s) => s.verdict === 'compatible')).toBe(true);
    expect(counts.states.some((s) => (s.size?.entries ?? 0) > 0)).toBe(true);
  });

  it('finds a changed GROUP BY incompatible, and a restore refuses it before starting', async () => {
    const text = bidsPipe(path.join(dir, 'refused'), { groupBy: 'bidder' });
    const report = await check(text);
    expect(report.restorable).toBe(false);
    expect(report.operators.find((op) => op.uid === 'bids-per-auction')!.states.some((s) => s.verdict === 'incompatible')).toBe(true);
    await expect(Job.start(compilePipe(text), { restoreFrom: snapshot })).rejects.toThrow(CheckpointRestoreError);
    // Refused before any data was touched: the sink never created its directory.
    expect(fs.existsSync(path.join(dir, 'refused'))).toBe(false);
  });

  it('refuses dropped non-empty state unless non-restored state is allowed', async () => {
    const text = bidsPipe(path.join(dir, 'dropped'), { aggUid: 'renamed' });
    expect((await check(text)).restorable).toBe(false);
    expect((await check(text, true)).restorable).toBe(true);
    await expect(Job.start(compilePipe(text), { restoreFrom: snapshot })).rejects.toThrow(/bids-per-auction[\s\S]*allow-non-restored-state/);
  });

  it('keeps a source whose pacing changed, and refuses one that reads something else under the same uid', async () => {
    const paced = bidsPipe(path.join(dir, 'paced')).replace("'events' = '2000'", "'events' = '2000', 'rows-per-second' = '100000'");
    const pacedReport = await check(paced);
    expect(pacedReport.restorable).toBe(true);
    expect(pacedReport.operators.find((op) => op.uid === 'bid-source')!.status).toBe('restored');
    const restored = await Job.start(compilePipe(paced), { restoreFrom: snapshot });
    await expect(restored.done).resolves.toMatchObject({ status: 'finished' });

    const generated = bidsPipe(path.join(dir, 'generated')).replace("'connector' = 'nexmark', 'table' = 'bid', 'events' = '2000'", "'connector' = 'datagen', 'number-of-rows' = '10'");
    const report = await check(generated);
    expect(report.restorable).toBe(false);
    expect(JSON.stringify(report.operators.find((op) => op.uid === 'bid-source'))).toMatch(/connector/);
    await expect(Job.start(compilePipe(generated), { restoreFrom: snapshot })).rejects.toThrow(CheckpointRestoreError);
    expect(fs.existsSync(path.join(dir, 'generated'))).toBe(false);
  });

  it('names the state file of an edited snapshot', async () => {
    const copy = path.join(dir, 'edited');
    fs.cpSync(snapshot, copy, { recursive: true });
    const file = fs.readdirSync(copy, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.kstate'))!;
    const full = path.join(file.parentPath, file.name);
    // One bit: a checkpoint's state file is binary (metadata version 7), a text edit may change nothing.
    const bytes = fs.readFileSync(full);
    bytes[bytes.length >> 1]! ^= 0x01;
    fs.writeFileSync(full, bytes);
    const opened = await openCheckpoint(copy);
    if ('error' in opened) throw new Error(opened.error);
    await expect(loadCheckpoint(opened.checkpoint)).rejects.toThrow(CheckpointReadError);
    await expect(loadCheckpoint(opened.checkpoint)).rejects.toThrow(/does not match its sha256 checksum/);
  });
});
