import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControllableJob } from '../../cli/control/controllable-job.js';

/** A ControllableJob that records what it was asked and writes empty savepoint directories, or fails on demand. */
export class FakeJob implements ControllableJob {
  readonly savepointTargets: (string | undefined)[] = [];
  readonly stops: Parameters<ControllableJob['stop']>[0][] = [];
  /** Makes the next savepoints (and stops with one) fail with this error. */
  failure: Error | undefined;
  /** Holds stops until the test releases them, to observe the job while it is stopping. */
  private releaseStop: Promise<void> = Promise.resolve();
  private taken = 0;

  constructor(readonly jobId = 'fake-0001') {}

  holdStops(): () => void {
    let release!: () => void;
    this.releaseStop = new Promise((resolve) => (release = resolve));
    return release;
  }

  async savepoint(targetDir?: string): Promise<{ path: string }> {
    this.savepointTargets.push(targetDir);
    return { path: await this.write(targetDir) };
  }

  async stop(options: Parameters<ControllableJob['stop']>[0]): Promise<{ savepointPath?: string }> {
    this.stops.push(options);
    await this.releaseStop;
    if (options.savepoint === undefined) return {};
    return { savepointPath: await this.write(options.savepoint === true ? undefined : options.savepoint) };
  }

  private async write(targetDir: string | undefined): Promise<string> {
    if (this.failure !== undefined) throw this.failure;
    if (targetDir === undefined) throw new Error('the fake job has no default savepoint directory');
    const path = join(targetDir, `savepoint-${this.jobId.slice(0, 6)}-${++this.taken}`);
    await mkdir(path);
    return path;
  }
}
