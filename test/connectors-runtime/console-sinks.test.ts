import { describe, expect, it } from 'vitest';
import { BIGINT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { BlackholeSinkWriter } from '../../connectors/blackhole/sink.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import { RowKind, type TextOutput } from '../../runtime/connectors/sink-connector.js';
import { appendSchema } from './helpers.js';

const fields: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'name', type: STRING, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: true },
];

function collector(): TextOutput & { text: string } {
  return {
    text: '',
    write(chunk) {
      this.text += chunk;
      return true;
    },
  };
}

async function printed(options: Record<string, string>, subtask: number, parallelism: number): Promise<{ stdout: string; stderr: string }> {
  const stdout = collector();
  const stderr = collector();
  const sink = (await ConnectorRuntimes.load(['print'])).createSinkWriter({ connector: 'print', options }, appendSchema(fields), { jobId: 'j', subtask, parallelism, runId: 'r', uid: 'out', lineage: 'l' }, { stdout, stderr });
  sink.write(
    [
      [1, 'a', Date.UTC(2015, 6, 15)],
      [2, null, null],
    ],
    Uint8Array.of(RowKind.INSERT, RowKind.DELETE),
  );
  expect(stdout.text + stderr.text).toBe('');
  await sink.close();
  return { stdout: stdout.text, stderr: stderr.text };
}

describe('print sink', () => {
  it("prints Flink's row format with the identifier, and the subtask when parallel", async () => {
    expect((await printed({ 'print-identifier': 'out' }, 0, 1)).stdout).toBe('out> +I[1, a, 2015-07-15T00:00:00.000Z]\nout> -D[2, null, null]\n');
    expect((await printed({ 'print-identifier': 'out' }, 1, 2)).stdout).toMatch(/^out:2> \+I\[1, a, /);
    expect((await printed({}, 1, 2)).stdout).toMatch(/^2> \+I\[1, a, /);
    expect((await printed({}, 0, 1)).stdout).toMatch(/^\+I\[1, a, /);
  });

  it("writes to standard error with 'standard-error'", async () => {
    const { stdout, stderr } = await printed({ 'standard-error': 'true' }, 0, 1);
    expect(stdout).toBe('');
    expect(stderr).toContain('-D[2, null, null]');
  });
});

describe('blackhole sink', () => {
  it('counts rows and keeps nothing', async () => {
    const sink = (await ConnectorRuntimes.load(['blackhole'])).createSinkWriter({ connector: 'blackhole', options: {} }, appendSchema(fields), { jobId: 'j', subtask: 0, parallelism: 1, runId: 'r', uid: 'out', lineage: 'l' });
    sink.write([[1, null, null]]);
    sink.write([[2, null, null], [3, null, null]]);
    expect(sink).toBeInstanceOf(BlackholeSinkWriter);
    expect((sink as BlackholeSinkWriter).rows).toBe(3);
    expect(await sink.preCommit(1)).toEqual([]);
  });
});
