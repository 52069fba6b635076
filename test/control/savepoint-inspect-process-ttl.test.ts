import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSnapshot, dumpOperatorState } from '../../cli/control/inspect-snapshot.js';
import { openSnapshot } from '../../cli/control/open-snapshot.js';
import { compile } from '../../compiler/compile.js';
import type { StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { Job } from '../../runtime/execution/job.js';
import { jobFunctions } from '../../runtime/execution/job-functions.js';
import type { ProcessFunction } from '../../runtime/operators/process/process-function.js';

const HOUR = 3_600_000;

/** Keeps the last v of each id under a 1 h TTL, and a count of rows without one. */
const last: ProcessFunction = {
  name: 'last_v',
  args: [{ name: 'INT' }],
  output: 'input',
  state: [
    { name: 'last', kind: 'value', valueType: [{ name: 'v', type: 'INT' }], ttl: { ms: '1 h' } },
    { name: 'rows', kind: 'value', valueType: [{ name: 'n', type: 'BIGINT' }] },
    { name: 'recent', kind: 'list', valueType: [{ name: 'v', type: 'INT' }], ttl: { ms: '1 h' } },
  ],
  processElement(_row, ctx) {
    ctx.state.value('last').update(ctx.args[0]);
    ctx.state.list('recent').add(ctx.args[0]);
    const rows = ctx.state.value<number>('rows');
    rows.update((rows.value() ?? 0) + 1);
  },
};
const functions = { processes: [last] };

let dir: string;
let stored: StoredCheckpoint;
let finishedAt: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-process-ttl-'));
  const text = `
SET 'pipeline.name' = 'lasts';
SET 'execution.checkpointing.interval' = '1 min';
SET 'state.checkpoints.dir' = '${join(dir, 'checkpoints')}';
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '30', 'fields.id.min' = '1', 'fields.id.max' = '3') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> PROCESS last_v(v) PARTITION BY id UID 'p';`;
  const { value: graph, diagnostics } = compile(text, { file: 'lasts.pipe', functions });
  if (graph === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const job = await Job.start(graph, jobFunctions(functions));
  let checkpointId: number | undefined;
  job.on('checkpoint-completed', (stats) => (checkpointId = stats.checkpointId));
  await job.done;
  finishedAt = Date.now();
  const opened = await openSnapshot(join(dir, 'checkpoints', 'lasts', `chk-${checkpointId}`), dir, 'savepoint or checkpoint');
  if ('error' in opened) throw new Error(opened.error.message);
  stored = opened.stored;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sluice savepoint inspect of process-function state with a TTL', () => {
  it('says, for the state with a TTL only, how long its keys have left', async () => {
    const text = await describeSnapshot(stored, finishedAt);
    expect(text).toMatch(/\n  state 'last' TTL 1 h after a key's last write: 3 keys \(or join sides\); the soonest expires in (59 min|1 h)/);
    expect(text).not.toContain("state 'rows' TTL");
    // A list state's elements expire one by one: from its keys' oldest element to its newest.
    expect(text).toMatch(/\n  state 'recent' TTL 1 h after each element's write: 3 keys; the soonest element expires in (59 min|1 h)[^,]*, the latest expires in (59 min|1 h)/);
  });

  it("dumps each key's write time of that state with its expiry", async () => {
    const entry = stored.metadata.operators.find((op) => op.uid === 'p')!;
    const lines: { state: string; namespace: string; value: number; expiresAt?: number }[] = [];
    for await (const line of dumpOperatorState(stored, entry, finishedAt)) lines.push(JSON.parse(line));
    const written = lines.filter((l) => l.state === '__ttl.written' && l.namespace === 'last');
    expect(written.length).toBeGreaterThan(0);
    for (const line of written) {
      expect(line.namespace).toBe('last');
      expect(line.expiresAt).toBe(line.value + HOUR);
    }
  });
});
