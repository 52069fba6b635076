import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommitRecordLog } from '../../connectors/file/commit-records.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { checkCommittedOutput, type RestorePoint } from '../../runtime/execution/committed-output-check.js';

const NOW = new Date('2026-12-05T21:00:00.000Z');

/** A sink directory with committed files of two lineages: A (checkpoints 3 and 5) and B, a later fresh start (checkpoint 2). */
async function sinkDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-committed-'));
  const committed = [
    { checkpointId: 3, lineage: 'A', file: 'part-a1-0-0.jsonl' },
    { checkpointId: 5, lineage: 'A', file: 'part-a1-0-1.jsonl' },
    { checkpointId: 2, lineage: 'B', file: 'part-b1-0-0.jsonl' },
  ];
  for (const c of committed) writeFileSync(join(dir, c.file), '{"id":1}\n');
  await new CommitRecordLog(join(dir, '.sluice-commits-out-0.jsonl')).append(committed.map((c) => ({ ...c, subtask: 0, bytes: 9 })));
  writeFileSync(join(dir, '.part-a2-0-0.jsonl.pending-6'), '{"id":2}\n');
  return { dir, sinks: [{ uid: 'out', dir }] };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof DiagnosticError ? error.code : String(error)));
const at = (checkpointId: number, lineage: string): RestorePoint => ({ kind: 'checkpoint', checkpointId, lineage });

describe('the committed output check of a restore', () => {
  it('refuses only output of the restored lineage newer than the restored checkpoint that is still in the sink', async () => {
    const { dir, sinks } = await sinkDir();
    const refusal = await checkCommittedOutput(sinks, at(4, 'A'), false, NOW).catch((error: unknown) => error);
    expect((refusal as DiagnosticError).code).toBe('SLC9122');
    expect((refusal as Error).message).toContain(
      `file sink 'out' in ${dir} already holds output committed by checkpoint 5, newer than checkpoint 4 being restored: restoring it would write those rows again (part-a1-0-1.jsonl)`,
    );
    expect(await codeOf(checkCommittedOutput(sinks, at(5, 'A'), false, NOW))).toBe('accepted');
    // Another lineage numbers its checkpoints anew: B's checkpoint 1 is older than its own output only.
    expect(await codeOf(checkCommittedOutput(sinks, at(1, 'B'), false, NOW))).toBe('SLC9122');
    expect(await codeOf(checkCommittedOutput(sinks, at(1, 'C'), false, NOW))).toBe('accepted');
    // Output moved away by the user no longer counts.
    renameSync(join(dir, 'part-a1-0-1.jsonl'), join(dir, 'elsewhere.jsonl'));
    expect(await codeOf(checkCommittedOutput(sinks, at(4, 'A'), false, NOW))).toBe('accepted');
  });

  it('rewinds: moves the newer files aside with a rewind.json, after which the restore is accepted', async () => {
    const { dir, sinks } = await sinkDir();
    const rewound = await checkCommittedOutput(sinks, at(3, 'A'), true, NOW);
    const aside = join(dir, '_rewound-after-chk-3-2026-12-05T21-00-00-000Z');
    expect(rewound).toEqual([{ uid: 'out', message: `moved 1 part file(s) committed after checkpoint 3 (up to checkpoint 5) into ${aside}` }]);
    expect(readdirSync(aside).sort()).toEqual(['part-a1-0-1.jsonl', 'rewind.json']);
    expect(JSON.parse(readFileSync(join(aside, 'rewind.json'), 'utf8'))).toMatchObject({ sinkUid: 'out', restoredCheckpoint: 3, lineage: 'A', files: [{ file: 'part-a1-0-1.jsonl', checkpointId: 5 }] });
    expect(await checkCommittedOutput(sinks, at(3, 'A'), false, NOW)).toEqual([]);
  });

  it('refuses --resume with nothing to resume into committed output of any lineage (SLC9123); rewinding moves all of it and the hidden files', async () => {
    const { dir, sinks } = await sinkDir();
    const nothing: RestorePoint = { kind: 'nothing-to-resume', pipeline: 'p', reason: 'every checkpoint is damaged' };
    const refusal = await checkCommittedOutput(sinks, nothing, false, NOW).catch((error: unknown) => error);
    expect((refusal as DiagnosticError).code).toBe('SLC9123');
    expect((refusal as Error).message).toContain("no usable checkpoint of pipeline 'p' is left (every checkpoint is damaged), and file sink 'out'");
    await checkCommittedOutput(sinks, nothing, true, NOW);
    expect(readdirSync(dir).sort()).toEqual(['.sluice-commits-out-0.jsonl', '_rewound-after-chk-0-2026-12-05T21-00-00-000Z']);
    expect(existsSync(join(dir, '_rewound-after-chk-0-2026-12-05T21-00-00-000Z', '.part-a2-0-0.jsonl.pending-6'))).toBe(true);
  });
});
