import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { Job } from '../../runtime/execution/job.js';
import { serveWebUi, type WebUi } from '../../web/server/serve-web-ui.js';

/** `checked(v)`: the filter's user function, which fails once when the fixture asks for a failure. */
const CHECKED = { name: 'checked', args: [{ name: 'INT' }], returns: { name: 'BOOLEAN' } } as const;

/**
 * A job that runs until stopped: generated rows counted per key into a blackhole, checkpointed every `interval`;
 * restarted at once after a failure.
 */
export function endlessPipe(interval = '500 ms'): string {
  return [
    "SET 'pipeline.name' = 'web-counts';",
    `SET 'execution.checkpointing.interval' = '${interval}';`,
    "SET 'state.backend' = 'fs';",
    "CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';",
    "CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';",
    "SET 'restart-strategy.type' = 'fixed-delay';",
    "SET 'restart-strategy.fixed-delay.delay' = '0ms';",
    "INSERT INTO out FROM ticks |> WHERE checked(v) |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';",
    '',
  ].join('\n');
}

export interface RunningDashboard {
  readonly dir: string;
  readonly job: Job;
  readonly webUi: WebUi;
  /** Fetches a path of the REST API with the dashboard's token (or the `token` given). */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * Compiles and starts the endless job with checkpoints and savepoints in a fresh directory, and serves its
 * dashboard on a free port. With `failOnce`, the filter's function throws once, after the first checkpoint.
 */
export async function startDashboard(interval?: string, options: { readonly failOnce?: boolean } = {}): Promise<RunningDashboard> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-web-'));
  const text = endlessPipe(interval);
  const file = join(dir, 'web-counts.pipe');
  const compiled = compile(text, { file, functions: { scalars: [CHECKED] }, settings: { 'state.checkpoints.dir': join(dir, 'checkpoints'), 'state.savepoints.dir': join(dir, 'savepoints') } });
  if (compiled.value === undefined) throw new Error(`the fixture does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  let checkpointed = false;
  let failed = false;
  const checked = (v: number) => {
    if (options.failOnce === true && checkpointed && !failed) {
      failed = true;
      throw new Error('the fraud service timed out');
    }
    return v > 1;
  };
  const job = await Job.start(compiled.value, { udfs: { checked: { ...CHECKED, fn: checked } } });
  job.on('checkpoint-completed', () => (checkpointed = true));
  const webUi = await serveWebUi(job, { port: 0, source: { file, text } });
  const base = `http://127.0.0.1:${webUi.address.port}`;
  return {
    dir,
    job,
    webUi,
    api: (path, init = {}) => {
      const { token = webUi.token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      return fetch(base + path, { ...rest, headers });
    },
    dispose: async () => {
      await webUi.close();
      await job.cancel();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
