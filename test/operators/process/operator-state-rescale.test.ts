import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../../compiler/compile.js';
import { Job } from '../../../runtime/execution/job.js';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';

interface Opened {
  readonly subtask: number;
  readonly counts: readonly { readonly subtask: number; readonly rows: number }[];
  readonly markers: readonly string[];
}
const opened: Opened[] = [];

/**
 * Without PARTITION BY: counts its rows in a field, written at each snapshot to a union list (every subtask gets all
 * subtasks' counts back) beside a split list of markers (dealt between the new subtasks).
 */
const perSubtask: ProcessFunction & { rows?: number; subtask?: number } = {
  name: 'per_subtask',
  args: [],
  rowFormat: 'array',
  output: 'input',
  state: [
    {
      name: 'counts',
      kind: 'list',
      redistribution: 'union',
      valueType: [
        { name: 'subtask', type: 'INT', nullable: false },
        { name: 'rows', type: 'BIGINT', nullable: false },
      ],
    },
    { name: 'markers', kind: 'list', valueType: [{ name: 'marker', type: 'STRING', nullable: false }] },
  ],
  open(ctx) {
    this.rows = 0;
    this.subtask = ctx.subtask;
    opened.push({
      subtask: ctx.subtask,
      counts: [...ctx.state.list<{ subtask: number; rows: number }>('counts').get()],
      markers: [...ctx.state.list<string>('markers').get()],
    });
  },
  processElement(row, ctx) {
    this.rows! += 1;
    ctx.emit(row);
  },
  snapshotState(ctx) {
    ctx.state.list('counts').update([{ subtask: ctx.subtask, rows: this.rows }]);
    ctx.state.list('markers').update([`s${ctx.subtask}-a`, `s${ctx.subtask}-b`]);
  },
};

const PROGRAM = `
CREATE SOURCE s (n BIGINT NOT NULL) WITH ('connector' = 'datagen') UID 's';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM s |> PROCESS per_subtask() UID 'p';`;

async function* paced(): AsyncGenerator<number[]> {
  for (let i = 0; ; i++) {
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    yield [i];
  }
}

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('operator list state of a process function', () => {
  it('is restored on rescale as Flink does: union lists to every subtask, split lists dealt between them', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-operator-state-'));
    const graphAt = (parallelism: number) => {
      const settings = { 'execution.checkpointing.interval': '20ms', 'state.checkpoints.dir': path.join(dir, 'checkpoints'), 'parallelism.default': String(parallelism) };
      const { value, diagnostics } = compile(PROGRAM, { settings, functions: { processes: [perSubtask] } });
      if (value === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
      return value;
    };
    expect(graphAt(2).operators.find((o) => o.uid === 'p')!.state.map((s) => `${s.name} ${s.scope} ${s.redistribution}`)).toEqual([
      'counts operator union',
      'markers operator split',
    ]);

    const first = await Job.start(graphAt(2), { processFunctions: { per_subtask: perSubtask }, sources: { s: paced() }, sinks: { out: () => undefined }, batchSize: 4 });
    await new Promise<void>((resolve) => first.once('checkpoint-completed', () => resolve()));
    const { savepointPath } = await first.stop({ savepoint: path.join(dir, 'savepoints') });
    await first.done;
    opened.length = 0;

    const second = await Job.start(graphAt(3), { processFunctions: { per_subtask: perSubtask }, sources: { s: [] }, sinks: { out: () => undefined }, restoreFrom: savepointPath! });
    await second.done;
    expect(opened.map((o) => o.subtask).sort()).toEqual([0, 1, 2]);
    // Union: each of the three new subtasks sees both old subtasks' counts; the one fed subtask counted rows.
    for (const { counts } of opened) {
      expect(counts.map((c) => c.subtask).sort()).toEqual([0, 1]);
      expect(counts.reduce((sum, c) => sum + c.rows, 0)).toBeGreaterThan(0);
    }
    // Split: the four markers dealt round robin, none lost, none twice.
    expect(opened.flatMap((o) => o.markers).sort()).toEqual(['s0-a', 's0-b', 's1-a', 's1-b']);
    expect(opened.every((o) => o.markers.length >= 1)).toBe(true);
  });

  it('refuses a redistribution for keyed state (SLC2044)', () => {
    const text = PROGRAM.replace("PROCESS per_subtask() UID 'p'", "PROCESS per_subtask() PARTITION BY n UID 'p'");
    const { diagnostics } = compile(text, { functions: { processes: [perSubtask] } });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['SLC2044']);
  });
});
