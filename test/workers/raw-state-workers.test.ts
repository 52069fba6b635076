import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { Job } from '../../runtime/execution/job.js';
import type { RestartEvent } from '../../runtime/execution/job-events.js';
import { committedJsonRows } from '../checkpoint/committed-output.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { FILE_TOTALS, expectedTotals, fileTotals, totalsPipe, writeTotalsInput } from '../operators/process/raw-state-fixtures.js';
import { useWorkers } from './worker-run.js';

useWorkers();

const ROWS = 2_000;

describe('raw state of a process function running in worker threads', () => {
  it.each(['memory', 'fs'])(
    'is written by the workers (%s backend) and restored into them after a failure: the output is exactly an undisturbed run’s',
    async (backend) => {
      const dir = tempDir();
      writeTotalsInput(dir, ROWS);
      const definition = await fileTotals();
      const settings = {
        'parallelism.default': '2',
        'state.backend.type': backend,
        'execution.checkpointing.interval': '50ms',
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.delay': '0ms',
      };
      const { value: graph, diagnostics } = compile(totalsPipe(dir, settings), { file: 'totals.pipe', functions: { processes: [definition] } });
      if (graph === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
      // Workers copy the environment when they start.
      Object.assign(process.env, { SLUICE_TEST_FAIL_MARKER: path.join(dir, 'failed'), SLUICE_TEST_FAIL_AT: String(ROWS - 300), SLUICE_TEST_ROW_US: '150' });
      try {
        const job = await Job.start(graph, { processFunctions: { file_totals: definition }, functionModules: [FILE_TOTALS] });
        const restarts: RestartEvent[] = [];
        job.on('restart', (event) => restarts.push(event));
        await job.done;
        expect(restarts).toHaveLength(1);
        expect(restarts[0]!.reason).toContain('file_totals fails once at');
        expect(restarts[0]!.checkpointId).toEqual(expect.any(Number));
      } finally {
        for (const name of ['SLUICE_TEST_FAIL_MARKER', 'SLUICE_TEST_FAIL_AT', 'SLUICE_TEST_ROW_US']) delete process.env[name];
      }
      const rows = committedJsonRows(path.join(dir, 'out')).sort((a, b) => `${a['file']}`.localeCompare(`${b['file']}`) || (a['n'] as number) - (b['n'] as number));
      expect(rows).toEqual(expectedTotals(ROWS));
    },
    60_000,
  );
});
