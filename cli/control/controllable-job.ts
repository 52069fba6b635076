/**
 * What the control plane needs of a running job: the runtime's Job, or a fake in tests. Savepoints are written
 * as a new directory `savepoint-<job-prefix>-<random>/` inside the directory given.
 */
export interface ControllableJob {
  readonly jobId: string;
  /** Takes a savepoint while the job keeps running; resolves with the savepoint's directory. */
  savepoint(targetDir?: string): Promise<{ readonly path: string }>;
  /**
   * Ends the job: sources stop, (with `drain`) event time advances to the end so every window fires, the
   * savepoint is taken when asked for, sinks commit. Resolves once the job has ended.
   */
  stop(options: { readonly savepoint?: string | true; readonly drain?: boolean }): Promise<{ readonly savepointPath?: string }>;
}
