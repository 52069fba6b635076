import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJobControl, type JobControl } from '../../cli/control/job-control.js';
import type { CliIO } from '../../cli/output.js';
import { captureIO } from '../cli/capture-io.js';
import { FakeJob } from './fake-job.js';

/** A private runtime directory and working directory per test, and fake jobs registered in it as `sluice run` does. */
export class ControlHarness {
  private readonly controls: JobControl[] = [];

  private constructor(readonly root: string) {}

  static async create(): Promise<ControlHarness> {
    return new ControlHarness(await mkdtemp(join(tmpdir(), 'sluice-ctl-')));
  }

  get runtimeDir(): string {
    return join(this.root, 'runtime');
  }

  /** The environment of a command run by the same user: it finds the jobs registered here. */
  io(): ReturnType<typeof captureIO> {
    const io = captureIO(this.root);
    return { ...io, env: { SLUICE_RUNTIME_DIR: this.runtimeDir } };
  }

  async register(job: FakeJob, pipelineName: string, savepointsDir: string | null = null): Promise<JobControl> {
    const env: CliIO['env'] = { SLUICE_RUNTIME_DIR: this.runtimeDir };
    const control = startJobControl(job, { pipelineName, savepointsDir, io: { env, cwd: this.root }, log: () => undefined });
    this.controls.push(control);
    await control.ready;
    return control;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.controls.map((control) => control.close()));
    await rm(this.root, { recursive: true, force: true });
  }
}
