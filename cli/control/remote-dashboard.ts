import { resolve } from 'node:path';
import type * as z from 'zod';
import type { DashboardDirectory, DashboardSource, DashboardView } from '../../web/server/dashboard-source.js';
import {
  CheckpointsSchema,
  ExceptionsSchema,
  JobConfigViewSchema,
  JobDetailSchema,
  JobsOverviewSchema,
  VertexDetailSchema,
  type StopResponse,
} from '../../web/server/schemas.js';
import { sendControlCommand, type ControlReply } from './control-client.js';
import { listRunningJobs, type RegistryEntry } from './job-registry.js';

/** How often a page following a job of another process is sent its figures. */
const POLL_INTERVAL_MS = 1000;

function failureOf(reply: Extract<ControlReply, { ok: false }>): Error {
  return new Error('error' in reply ? reply.error.message : `the job cannot be reached: ${reply.unreachable}`);
}

/**
 * A job of another `sluice run` process, as `sluice ui` shows it: every view is asked of the job through its
 * control socket (authorized by the token of its registry file) and checked against the REST API's schema.
 */
export class RemoteDashboard implements DashboardSource {
  readonly jobId: string;

  constructor(private readonly entry: RegistryEntry) {
    this.jobId = entry.jobId;
  }

  private async view<T>(view: DashboardView, schema: z.ZodType<T>, uid?: string): Promise<T | undefined> {
    const reply = await sendControlCommand(this.entry, { type: 'dashboard', view, ...(uid === undefined ? {} : { uid }) });
    if (!reply.ok) throw failureOf(reply);
    return reply.result.body === undefined || reply.result.body === null ? undefined : schema.parse(reply.result.body);
  }

  private async required<T>(view: DashboardView, schema: z.ZodType<T>): Promise<T> {
    const body = await this.view(view, schema);
    if (body === undefined) throw new Error(`job ${this.jobId} answered its ${view} with nothing`);
    return body;
  }

  summary() {
    return this.required('summary', JobsOverviewSchema.shape.jobs.element);
  }
  detail() {
    return this.required('detail', JobDetailSchema);
  }
  vertex(uid: string) {
    return this.view('vertex', VertexDetailSchema, uid);
  }
  checkpoints() {
    return this.required('checkpoints', CheckpointsSchema);
  }
  exceptions() {
    return this.required('exceptions', ExceptionsSchema);
  }
  config() {
    return this.required('config', JobConfigViewSchema);
  }

  /** Into `targetDir` (relative to this process's directory: the job's is another) or the pipeline's `state.savepoints.dir`. */
  async takeSavepoint(targetDir?: string): Promise<string> {
    const target = targetDir === undefined ? this.entry.savepointsDir : resolve(targetDir);
    if (target === null) throw new Error(`no savepoint directory: give targetDirectory, or set 'state.savepoints.dir' for job ${this.jobId}`);
    const reply = await sendControlCommand(this.entry, { type: 'savepoint', targetDir: target });
    if (!reply.ok) throw failureOf(reply);
    return reply.result.path;
  }

  async stopJob(options: { readonly savepoint: boolean; readonly targetDir?: string; readonly drain: boolean }): Promise<StopResponse> {
    const target = options.targetDir === undefined ? this.entry.savepointsDir : resolve(options.targetDir);
    if (options.savepoint && target === null) throw new Error(`no savepoint directory: give targetDirectory, or set 'state.savepoints.dir' for job ${this.jobId}`);
    const reply = await sendControlCommand(this.entry, { type: 'stop', drain: options.drain, ...(options.savepoint && target !== null ? { savepointDir: target } : {}) });
    if (!reply.ok) throw failureOf(reply);
    return { status: 'stopped', savepointPath: reply.result.savepointPath ?? null };
  }

  subscribe(listener: () => void): () => void {
    const timer = setInterval(listener, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }
}

/** The running jobs of the registry in `dir`, read again at every request. */
export function registryDirectory(dir: string): DashboardDirectory {
  return { list: async () => (await listRunningJobs(dir)).map((job) => new RemoteDashboard(job.entry)) };
}
