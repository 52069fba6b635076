import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedJsonRows } from '../checkpoint/committed-output.js';
import { completedCheckpoints } from '../checkpoint/fault-matrix-harness.js';
import { tempDir } from '../checkpoint/state-fixtures.js';
import { expectedTotals, totalsPipe, writeTotalsInput } from '../operators/process/raw-state-fixtures.js';
import { spawnSluice, type SluiceProcess } from '../run/spawn-sluice.js';

const ROWS = 3_000;

async function until(condition: () => boolean, run: SluiceProcess): Promise<void> {
  let done = false;
  void run.exit.then(() => (done = true));
  while (!condition()) {
    if (done) throw new Error(`the run ended before it checkpointed: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('raw state through the command line', () => {
  it(
    'survives a SIGKILL after a checkpoint: `sluice run --resume` ends with exactly the output of an undisturbed run',
    async () => {
      const dir = tempDir();
      writeTotalsInput(dir, ROWS);
      const pipeFile = path.join(dir, 'totals.pipe');
      fs.writeFileSync(pipeFile, totalsPipe(dir, { 'execution.checkpointing.interval': '100ms' }, true));
      const checkpoints = path.join(dir, 'checkpoints', 'totals');

      const first = spawnSluice(['run', pipeFile, '-q'], dir, { SLUICE_TEST_ROW_US: '300' });
      await until(() => completedCheckpoints(checkpoints).length > 0 && committedJsonRows(path.join(dir, 'out')).length > 0, first);
      first.kill('SIGKILL');
      expect((await first.exit).signal).toBe('SIGKILL');
      const newest = completedCheckpoints(checkpoints)[0]!;
      expect(committedJsonRows(path.join(dir, 'out')).length).toBeLessThan(2 * ROWS);

      const inspect = spawnSluice(['savepoint', 'inspect', path.join(checkpoints, `chk-${newest}`)], dir);
      expect((await inspect.exit).code, inspect.stderr()).toBe(0);
      expect(inspect.stdout()).toMatch(/\n {2}totals {2}operator raw {2}1 part, \d+ bytes\n/);

      const second = spawnSluice(['run', pipeFile, '--resume', '-q'], dir);
      expect((await second.exit).code, second.stderr()).toBe(0);
      const rows = committedJsonRows(path.join(dir, 'out')).sort((a, b) => `${a['file']}`.localeCompare(`${b['file']}`) || (a['n'] as number) - (b['n'] as number));
      expect(rows).toEqual(expectedTotals(ROWS));
    },
    120_000,
  );
});
