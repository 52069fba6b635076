import type { Checkpoints, Exceptions, JobConfigView, JobDetail, JobsOverview, StopResponse, VertexDetail } from './schemas.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * One job as the dashboard server sees it: the job's own JobDashboard in its process (`sluice run --web-ui`,
 * `serveWebUi`), or a job of another process reached through its control socket (`sluice ui`).
 */
export interface DashboardSource {
  readonly jobId: string;
  summary(): MaybePromise<JobsOverview['jobs'][number]>;
  detail(): MaybePromise<JobDetail>;
  /** By uid or generated id; undefined when the graph has no such vertex. */
  vertex(uid: string): MaybePromise<VertexDetail | undefined>;
  checkpoints(): MaybePromise<Checkpoints>;
  exceptions(): MaybePromise<Exceptions>;
  config(): MaybePromise<JobConfigView>;
  /** Resolves with the savepoint's directory; rejects with the reason it could not be taken. */
  takeSavepoint(targetDir?: string): Promise<string>;
  /** Resolves once the job ended. */
  stopJob(options: { readonly savepoint: boolean; readonly targetDir?: string; readonly drain: boolean }): Promise<StopResponse>;
  /** Calls `listener` when the job's figures may have changed; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
}

/** The jobs a dashboard server shows: one (`sluice run --web-ui`, `serveWebUi`) or every job of the user (`sluice ui`). */
export interface DashboardDirectory {
  list(): Promise<readonly DashboardSource[]>;
}

/** The read-only views a dashboard serves, by name: what the control protocol's `dashboard` command asks for. */
export const DASHBOARD_VIEWS = ['summary', 'detail', 'vertex', 'checkpoints', 'exceptions', 'config'] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];

/** The answer of `source` to a view (the vertex's needs `uid`); undefined for a vertex it does not have. */
export async function readView(source: DashboardSource, view: DashboardView, uid: string | undefined): Promise<unknown> {
  switch (view) {
    case 'summary':
      return source.summary();
    case 'detail':
      return source.detail();
    case 'vertex':
      return source.vertex(uid ?? '');
    case 'checkpoints':
      return source.checkpoints();
    case 'exceptions':
      return source.exceptions();
    case 'config':
      return source.config();
  }
}
