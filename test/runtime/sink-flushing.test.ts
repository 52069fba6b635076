import { describe, expect, it } from 'vitest';
import { Job } from '../../runtime/execution/job.js';
import { compilePipe } from '../operators/run-pipe.js';

const PROGRAM = `
  CREATE SOURCE s (n INT) WITH ('connector' = 'datagen') UID 's';
  CREATE SINK console WITH ('connector' = 'print') UID 'console';
  CREATE SINK seen WITH ('connector' = 'blackhole') UID 'seen';
  INSERT INTO console FROM s;
  INSERT INTO seen FROM s;`;

describe('sink flushing', () => {
  it('prints a row as soon as its batch arrives, not when thousands have gathered', async () => {
    let printed = '';
    let onPrint: () => void = () => {};
    const stdout = {
      write(text: string): boolean {
        printed += text;
        onPrint();
        return true;
      },
    };
    // The feed waits for the first row to be printed before it ends: without a flush per batch it would wait forever.
    async function* rows(): AsyncGenerator<unknown[]> {
      yield [1];
      await new Promise<void>((resolve) => {
        onPrint = resolve;
        if (printed !== '') resolve();
      });
    }
    const job = await Job.start(compilePipe(PROGRAM), { sources: { s: rows() }, sinkEnvironment: { stdout } });
    await job.done;
    expect(printed).toBe('+I[1]\n');
  });

  it('accepts a sink callback that returns something other than a promise', async () => {
    const out: unknown[][] = [];
    const job = await Job.start(compilePipe(PROGRAM), {
      sources: { s: [[1], [2]] },
      sinks: {
        // Returns push's count, not a promise.
        console: (rows) => out.push(...rows.map((r) => [...r])),
        seen: () => undefined,
      },
    });
    await job.done;
    expect(out).toEqual([[1], [2]]);
  });
});
