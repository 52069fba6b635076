import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from '../output.js';
import { ControlServer } from './control-server.js';
import type { ControllableJob } from './controllable-job.js';
import { newToken, REGISTRY_FORMAT, registrationPaths, removeRegistration, writeRegistryEntry, type RegistryEntry, type RunningJob } from './job-registry.js';
import { checkRuntimeDirectory, runtimeDirectory } from './runtime-dir.js';

/** A job's control endpoint and registration, for as long as the job runs. */
export interface JobControl {
  /** The registration `sluice list` shows; undefined when the endpoint could not be set up (a warning said why). */
  readonly registration: RunningJob | undefined;
  /** Unregisters and stops listening, once requests under way are answered. */
  close(): Promise<void>;
}

export interface JobControlContext {
  readonly pipelineName: string;
  /** `state.savepoints.dir` as configured (relative to `io.cwd`), or null. */
  readonly savepointsDir: string | null;
  readonly io: Pick<CliIO, 'env' | 'cwd'>;
  /** Where notes (a savepoint written, a stop requested) and the warning of a failed setup go. */
  readonly log: (line: string) => void;
}

/**
 * Makes a running job reachable by `sluice savepoint`, `sluice stop` and `sluice list`: listens on a socket in
 * the per-user runtime directory and registers the job there. Never throws: a job runs the same without it,
 * so a failure is logged as a warning.
 */
export async function startJobControl(job: ControllableJob, context: JobControlContext): Promise<JobControl> {
  const dir = runtimeDirectory(context.io.env);
  const unreachable = (reason: string): JobControl => {
    context.log(`warning: \`sluice savepoint\`, \`sluice stop\` and \`sluice list\` cannot reach this job: ${reason}`);
    return { registration: undefined, close: () => Promise.resolve() };
  };
  const state = await checkRuntimeDirectory(dir, true);
  if (state.state !== 'ready') return unreachable(`the job control directory ${dir} is unsafe: ${state.state === 'unsafe' ? state.reason : 'it is missing'}`);

  const { file, socket } = registrationPaths(dir);
  const token = newToken();
  let server: ControlServer;
  try {
    server = await ControlServer.listen({ job, pipelineName: context.pipelineName, socketPath: socket, token, log: context.log });
  } catch (error) {
    return unreachable(`cannot listen on ${socket}: ${(error as Error).message}`);
  }
  const entry: RegistryEntry = {
    format: REGISTRY_FORMAT,
    version: 1,
    jobId: job.jobId,
    pipelineName: context.pipelineName,
    pid: process.pid,
    socket,
    startedAt: Date.now(),
    token,
    savepointsDir: context.savepointsDir === null ? null : resolve(context.io.cwd, context.savepointsDir),
  };
  try {
    await writeRegistryEntry(file, entry);
  } catch (error) {
    await server.close();
    return unreachable(`cannot write ${file}: ${(error as Error).message}`);
  }
  const registration: RunningJob = { entry, file };
  // A process ended by `process.exit` (a second Ctrl-C) never reaches `close`: unregister synchronously then.
  const onExit = () => {
    rmSync(file, { force: true });
    rmSync(socket, { force: true });
  };
  process.on('exit', onExit);
  return {
    registration,
    close: async () => {
      process.off('exit', onExit);
      await removeRegistration(registration);
      await server.close();
    },
  };
}
