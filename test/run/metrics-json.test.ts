import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsLineSchema } from '../../cli/metrics-json.js';
import { runInProcess } from './run-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-metrics-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sluice run --metrics-json', () => {
  it('writes progress lines while running and a final line, each valid against the schema', async () => {
    const path = join(dir, 'metrics.jsonl');
    const { code } = await runInProcess('examples/quickstart.pipe', { metricsJson: path, quiet: true });
    expect(code).toBe(0);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((line) => MetricsLineSchema.parse(JSON.parse(line)));
    expect(records.length).toBeGreaterThan(1);
    expect(records.slice(0, -1).every((r) => r.type === 'progress' && r.status === 'running')).toBe(true);
    const final = records.at(-1)!;
    expect(final).toMatchObject({ type: 'final', status: 'finished', pipeline: 'quickstart', watermark: 'end', checkpoints: null });
    expect(final.sources.map((s) => s.uid)).toEqual(['bids']);
    expect(final.sinks.map((s) => s.uid)).toEqual(['console']);
    expect(final.rowsRead).toBe(final.operators.find((op) => op.uid === 'bids')!.recordsOut);
    expect(final.rowsWritten).toBeGreaterThan(0);
    const elapsed = records.map((r) => r.elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
  });

  it('refuses - when a print sink also writes to standard output', async () => {
    const { code, stdout, stderr } = await runInProcess('examples/quickstart.pipe', { metricsJson: '-' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "error[SLC9006]: --metrics-json - and the print sink 'console' cannot be used together (use only one of them: both write to standard output; give --metrics-json a file path, or set 'standard-error' = 'true' on the sink)\n",
    );
  });

  it('reports a file it cannot create as a usage error, before the job starts', async () => {
    const { code, stderr } = await runInProcess('examples/quickstart.pipe', { metricsJson: join(dir, 'missing', 'metrics.jsonl') });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error\[SLC9007\]: cannot write '.*metrics\.jsonl': no such file or directory/);
    expect(stderr).not.toContain('running');
  });
});
