import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import { parseMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { loadCheckpoint, openCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { Job } from '../../runtime/execution/job.js';
import type { JobWarning } from '../../runtime/execution/job-events.js';
import { compilePipe } from '../operators/run-pipe.js';
import { pacedGroupByPipe, tempDir } from './state-fixtures.js';

const KEYS = 4000;

/** Flips one byte of `file`: a real fault on disk. */
function damage(file: string): void {
  const bytes = fs.readFileSync(file);
  bytes[bytes.length >> 1]! ^= 0x01;
  fs.writeFileSync(file, bytes);
}

/** The base file of per-key's chain as checkpoint `checkpointId` lists it. */
function listedBase(jobDir: string, checkpointId: number): string {
  const dir = path.join(jobDir, `chk-${checkpointId}`);
  const read = parseMetadata(fs.readFileSync(path.join(dir, '_metadata'), 'utf8'), dir);
  if (!('metadata' in read)) throw new Error(read.error);
  return path.resolve(dir, read.metadata.operators.find((op) => op.uid === 'per-key')!.subtasks[0]!.keyedState[0]!.path);
}

/** per-key's counts in a checkpoint, read and verified (every file of its chain: size and sha256), by key. */
async function countsIn(jobDir: string, checkpointId: number): Promise<Map<number, number>> {
  const opened = await openCheckpoint(path.join(jobDir, `chk-${checkpointId}`));
  if (!('checkpoint' in opened)) throw new Error(opened.error);
  const loaded = await loadCheckpoint(opened.checkpoint);
  const counts = new Map<number, number>();
  for (const keyed of loaded.operators.find((op) => op.entry.uid === 'per-key')!.keyed) {
    for (const entry of keyed.entries) {
      if (entry.state === 'accumulators') counts.set((JSON.parse(entry.key) as number[])[0]!, (entry.value as number[])[0]!);
    }
  }
  return counts;
}

describe('a chain merge that fails in the background', () => {
  it('is reported (job warning and checkpoint statistics), and the next checkpoints complete with a new base holding the right state', async () => {
    const checkpoints = tempDir();
    const graph = compilePipe(pacedGroupByPipe('merge-failure', checkpoints, KEYS));
    const jobDir = path.join(checkpoints, graph.config.pipelineName);
    const job = await Job.start(graph, { batchSize: 64 });
    const completed: CheckpointStats[] = [];
    const warnings: JobWarning[] = [];
    const damaged = new Set<string>();
    job.on('warning', (warning) => warnings.push(warning));
    const giveUp = setTimeout(() => void job.cancel(), 60_000);
    job.on('checkpoint-completed', (stats) => {
      completed.push(stats);
      const perKey = stats.subtasks.find((s) => s.uid === 'per-key')!;
      if (warnings.length === 0) {
        // Once the keys are all there (deltas stay small), the base of the chain each incremental checkpoint lists
        // is damaged, until a merge reads one and fails (the task may take a new base first: then the next one's).
        if (completed.length < 5 || perKey.bytes === perKey.stateBytes) return;
        const base = listedBase(jobDir, stats.checkpointId);
        if (!damaged.has(base)) damage(base);
        damaged.add(base);
        return;
      }
      const reported = completed.findIndex((c) => c.subtasks.some((s) => s.problems.length > 0));
      if (reported >= 0 && completed.length >= reported + 4) void job.cancel();
    });
    await job.done;
    clearTimeout(giveUp);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ operator: 'per-key', subtask: 0 });
    expect(warnings[0]!.message).toMatch(
      /^merging the checkpoint chain of per-key-0 into a new base failed: state file .*\/shared\/per-key-0\.chk-\d+(\.merged)?\.kstate does not match its size and sha256 checksum \(altered or damaged\); its next checkpoint writes a full base$/,
    );
    // The checkpoint whose write carried it reports it in its statistics too. That checkpoint (when the task had
    // already taken a base) or the next one writes a new base; the ones after it complete.
    const reported = completed.findIndex((c) => c.subtasks.some((s) => s.problems.length > 0));
    const perKey = completed.map((c) => c.subtasks.find((s) => s.uid === 'per-key')!);
    expect(perKey[reported]!.problems).toEqual([warnings[0]!.message]);
    expect(perKey.slice(reported, reported + 2).some((s) => s.bytes === s.stateBytes)).toBe(true);
    expect(perKey.length).toBeGreaterThanOrEqual(reported + 4);
    // The newest checkpoint reads back verified, and holds exactly the counts of the first `read` ids.
    const counts = await countsIn(jobDir, completed.at(-1)!.checkpointId);
    const read = [...counts.values()].reduce((sum, n) => sum + n, 0);
    expect(read).toBeGreaterThan(KEYS);
    for (let k = 0; k < KEYS; k++) expect(counts.get(k), `key ${k}`).toBe(Math.floor((read - k) / KEYS) + (k === 0 ? 0 : 1));
  }, 90_000);
});
