import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from '../output.js';
import { ControlServer } from './control-server.js';
import type { ControllableJob } from './controllable-job.js';
import type { ProcessLock } from '../../runtime/locks/process-lock.js';
import {
  listRunningJobs,
  lockRegistration,
  newToken,
  REGISTRY_FORMAT,
  registrationPaths,
  removeRegistration,
  writeRegistryEntry,
  type RegistryEntry,
  type RunningJob,
} from './job-registry.js';
import { checkRuntimeDirectory, runtimeDirectory } from './runtime-dir.js';
import type { DashboardSource } from '../../web/server/dashboard-source.js';

/** A job's control endpoint and registration, for as long as the job runs. */
export interface JobControl {
  /** The registration `sluice list` shows, once made; undefined when it could not be (a warning said why). */
  readonly ready: Promise<RunningJob | undefined>;
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
  /** The job's dashboard figures, for `sluice ui`. */
  readonly dashboard?: DashboardSource;
}

interface Endpoint {
  readonly registration: RunningJob;
  readonly server: ControlServer;
  readonly lock: ProcessLock;
  readonly onExit: () => void;
}

/**
 * Makes a running job reachable by `sluice savepoint`, `sluice stop` and `sluice list`: listens on a socket in
 * the per-user runtime directory and registers the job there. Returns at once and sets up in the background, so
 * that a caller's next step (handling `job.done`) is not delayed. Never fails: a job runs the same without it,
 * so a failed setup is logged as a warning.
 */
export function startJobControl(job: ControllableJob, context: JobControlContext): JobControl {
  const endpoint = setUp(job, context);
  return {
    ready: endpoint.then((e) => e?.registration),
    close: async () => {
      const e = await endpoint;
      if (e === undefined) return;
      process.off('exit', e.onExit);
      await removeRegistration(e.registration);
      await e.server.close();
      await e.lock.release();
    },
  };
}

async function setUp(job: ControllableJob, context: JobControlContext): Promise<Endpoint | undefined> {
  const dir = runtimeDirectory(context.io.env);
  const unreachable = (reason: string): undefined => {
    context.log(`warning: \`sluice savepoint\`, \`sluice stop\` and \`sluice list\` cannot reach this job: ${reason}`);
    return undefined;
  };
  const state = await checkRuntimeDirectory(dir, true);
  if (state.state !== 'ready') return unreachable(`the job control directory ${dir} is unsafe: ${state.state === 'unsafe' ? state.reason : 'it is missing'}`);

  // Registrations of jobs that died (SIGKILL leaves them) go now, not only when someone runs `sluice list`.
  await listRunningJobs(dir).catch(() => undefined);

  const { file, socket } = registrationPaths(dir);
  let lock: ProcessLock | undefined;
  try {
    lock = await lockRegistration(file);
  } catch (error) {
    return unreachable(`cannot lock ${file}: ${(error as Error).message}`);
  }
  if (lock === undefined) return unreachable(`${file} is locked by another process`);
  const token = newToken();
  let server: ControlServer;
  try {
    server = await ControlServer.listen({
      job,
      pipelineName: context.pipelineName,
      socketPath: socket,
      token,
      log: context.log,
      ...(context.dashboard === undefined ? {} : { dashboard: context.dashboard }),
    });
  } catch (error) {
    await lock.release();
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
    await lock.release();
    return unreachable(`cannot write ${file}: ${(error as Error).message}`);
  }
  // A process ended by `process.exit` (a second Ctrl-C) never reaches `close`: unregister synchronously then.
  const onExit = () => {
    rmSync(file, { force: true });
    rmSync(socket, { force: true });
  };
  process.on('exit', onExit);
  return { registration: { entry, file }, server, lock, onExit };
}
