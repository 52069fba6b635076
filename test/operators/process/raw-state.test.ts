import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSnapshot, dumpOperatorState } from '../../../cli/control/inspect-snapshot.js';
import { compile } from '../../../compiler/compile.js';
import type { CompatibilityReport } from '../../../compiler/savepoint-compat/report.js';
import { loadCheckpoint, openCheckpoint } from '../../../runtime/checkpoint/restore/load-checkpoint.js';
import { checkLoadedSnapshot } from '../../../runtime/checkpoint/restore/snapshot-summary.js';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';
import { DiagnosticError } from '../../../runtime/diagnostic-error.js';
import { Job } from '../../../runtime/execution/job.js';
import type { RestartEvent } from '../../../runtime/execution/job-events.js';
import { committedJsonRows } from '../../checkpoint/committed-output.js';
import { tempDir } from '../../checkpoint/state-fixtures.js';
import { expectedTotals, fileTotals, totalsPipe, writeTotalsInput } from './raw-state-fixtures.js';

const ROWS = 3_000;

afterEach(() => {
  for (const name of ['SLUICE_TEST_FAIL_MARKER', 'SLUICE_TEST_FAIL_AT', 'SLUICE_TEST_ROW_US']) delete process.env[name];
});

async function graphOf(dir: string, settings: Record<string, string>) {
  const definition = await fileTotals();
  const { value, diagnostics } = compile(totalsPipe(dir, settings), { file: 'totals.pipe', functions: { processes: [definition] } });
  if (value === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { graph: value, processFunctions: { file_totals: definition } };
}

const sortedOutput = (dir: string) => committedJsonRows(path.join(dir, 'out')).sort((a, b) => `${a['file']}`.localeCompare(`${b['file']}`) || (a['n'] as number) - (b['n'] as number));

describe('raw state of a process function (bytes it writes and reads back itself)', () => {
  it('is declared { name, kind: "raw" }, per subtask with or without PARTITION BY, and takes no value type or TTL', async () => {
    const definition = await fileTotals();
    const dir = tempDir();
    const { graph } = await graphOf(dir, {});
    expect(graph.operators.find((o) => o.uid === 'totals')!.state).toEqual([
      { name: 'totals', scope: 'operator', kind: 'raw', valueType: [], description: "raw state 'totals' of the process function (bytes per subtask)" },
    ]);
    const keyed = compile(totalsPipe(dir, {}).replace("UID 'totals'", "PARTITION BY file UID 'totals'"), { functions: { processes: [definition] } });
    expect(keyed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const typed = compile(totalsPipe(dir, {}), {
      functions: { processes: [{ ...definition, state: [{ name: 'totals', kind: 'raw', valueType: [{ name: 'b', type: 'STRING' }], ttl: { ms: 5 } } as never] }] },
    });
    expect(typed.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')).toMatch(/SLC2043.*raw state is bytes per subtask, without valueType/);
  });

  it('is restored after a failure from the latest checkpoint: the output is exactly that of an undisturbed run', async () => {
    const dir = tempDir();
    writeTotalsInput(dir, ROWS);
    process.env['SLUICE_TEST_FAIL_MARKER'] = path.join(dir, 'failed');
    process.env['SLUICE_TEST_FAIL_AT'] = String(ROWS - 500);
    process.env['SLUICE_TEST_ROW_US'] = '100';
    const { graph, processFunctions } = await graphOf(dir, {
      'parallelism.default': '2',
      'execution.checkpointing.interval': '50ms',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '0ms',
    });
    const job = await Job.start(graph, { processFunctions });
    const restarts: RestartEvent[] = [];
    job.on('restart', (event) => restarts.push(event));
    await job.done;
    expect(restarts).toHaveLength(1);
    expect(restarts[0]!.checkpointId).toEqual(expect.any(Number));
    expect(sortedOutput(dir)).toEqual(expectedTotals(ROWS));
  });

  it('is restored from a savepoint at another parallelism, every old part to every new subtask; inspect shows its size, not its content', async () => {
    const dir = tempDir();
    writeTotalsInput(dir, ROWS);
    process.env['SLUICE_TEST_ROW_US'] = '200';
    const first = await graphOf(dir, { 'parallelism.default': '2', 'execution.checkpointing.interval': '50ms' });
    const job = await Job.start(first.graph, { processFunctions: first.processFunctions });
    await new Promise<void>((resolve) => job.once('checkpoint-completed', () => resolve()));
    const { savepointPath } = await job.stop({ savepoint: path.join(dir, 'savepoints') });
    expect((await job.done).status).toBe('stopped');
    const written = committedJsonRows(path.join(dir, 'out')).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(2 * ROWS);

    const opened = await openCheckpoint(savepointPath!);
    if (!('checkpoint' in opened)) throw new Error(opened.error);
    const entry = opened.checkpoint.metadata.operators.find((op) => op.uid === 'totals')!;
    const rawFiles = entry.subtasks.flatMap((s) => s.rawState);
    expect(rawFiles.map((f) => f.name)).toEqual(['totals', 'totals']);
    const bytes = rawFiles.reduce((sum, f) => sum + f.bytes, 0);
    expect(await describeSnapshot(opened.checkpoint)).toContain(`totals  operator raw  2 parts, ${bytes} bytes`);
    const dumped: unknown[] = [];
    for await (const line of dumpOperatorState(opened.checkpoint, entry)) dumped.push(JSON.parse(line));
    expect(dumped).toEqual([
      { scope: 'raw', state: 'totals', subtask: 0, bytes: rawFiles[0]!.bytes },
      { scope: 'raw', state: 'totals', subtask: 1, bytes: rawFiles[1]!.bytes },
    ]);

    delete process.env['SLUICE_TEST_ROW_US'];
    const second = await graphOf(dir, { 'parallelism.default': '3', 'execution.checkpointing.interval': '50ms' });
    const resumed = await Job.start(second.graph, { processFunctions: second.processFunctions, restoreFrom: savepointPath! });
    expect((await resumed.done).status).toBe('finished');
    expect(sortedOutput(dir)).toEqual(expectedTotals(ROWS));
  });

  it('is matched by uid and name in the savepoint check: removed, it is dropped state; added, it starts empty', async () => {
    const dir = tempDir();
    writeTotalsInput(dir, 50);
    const { graph, processFunctions } = await graphOf(dir, { 'execution.checkpointing.interval': '1 min' });
    await (await Job.start(graph, { processFunctions })).done;
    const checkpoints = path.join(dir, 'checkpoints', 'totals');
    const opened = await openCheckpoint(path.join(checkpoints, fs.readdirSync(checkpoints).find((name) => name.startsWith('chk-'))!));
    if (!('checkpoint' in opened)) throw new Error(opened.error);
    const loaded = await loadCheckpoint(opened.checkpoint);
    const definition = await fileTotals();
    const withState = (state: ProcessFunction['state']) => {
      const { value } = compile(totalsPipe(dir, {}), { functions: { processes: [{ ...definition, state } as ProcessFunction] } });
      return value!;
    };
    const verdicts = (report: CompatibilityReport | undefined) =>
      report!.operators.find((op) => op.uid === 'totals')!.states.map((st) => `${st.name} ${st.verdict} ${st.reasons.map((r) => r.code).join(',')}`);

    const removed = checkLoadedSnapshot(loaded, withState([]), false);
    expect(verdicts(removed)).toEqual(['totals dropped SLC6030']);
    expect(removed!.restorable).toBe(false);
    expect(verdicts(checkLoadedSnapshot(loaded, withState([]), true))).toEqual(['totals dropped SLC6031']);
    const added = checkLoadedSnapshot(loaded, withState([...definition.state, { name: 'more', kind: 'raw' }]), false);
    expect(verdicts(added)).toEqual(['totals compatible ', 'more starts-empty SLC6034']);
    expect(added!.restorable).toBe(true);
    const turned = checkLoadedSnapshot(loaded, withState([{ name: 'totals', kind: 'list', valueType: [{ name: 'b', type: 'STRING' }] }]), false);
    expect(verdicts(turned)).toEqual(['totals incompatible SLC6005']);
  });

  it('refuses a snapshot whose raw-state file was altered, naming the file (SLC9140)', async () => {
    const dir = tempDir();
    writeTotalsInput(dir, 50);
    const { graph, processFunctions } = await graphOf(dir, { 'execution.checkpointing.interval': '1 min' });
    await (await Job.start(graph, { processFunctions })).done;
    // The final checkpoint of the bounded run holds the raw state; alter one byte of its file.
    const checkpoints = path.join(dir, 'checkpoints', 'totals');
    const chk = path.join(checkpoints, fs.readdirSync(checkpoints).find((name) => name.startsWith('chk-'))!);
    const file = path.join(chk, fs.readdirSync(chk).find((name) => name.endsWith('.raw'))!);
    const data = fs.readFileSync(file);
    data[0] = data[0]! ^ 0xff;
    fs.writeFileSync(file, data);
    const refused = await Job.start(graph, { processFunctions, restoreFrom: chk }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DiagnosticError);
    expect((refused as DiagnosticError).code).toBe('SLC9140');
    expect((refused as Error).message).toContain(`raw state file (state 'totals') ${file} does not match its sha256 checksum`);
  });
});
