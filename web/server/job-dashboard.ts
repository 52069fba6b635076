import { basename } from 'node:path';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { summarize } from '../../compiler/exporters/summary.js';
import type { CheckpointStats } from '../../runtime/checkpoint/checkpoint-stats.js';
import type { CheckpointStartedEvent, JobEvents, JobWarning, RestartEvent } from '../../runtime/execution/job-events.js';
import type { JobMetrics, JobResult } from '../../runtime/execution/job-options.js';
import { OperatorFailure } from '../../runtime/execution/operator-failure.js';
import type { DashboardSource } from './dashboard-source.js';
import type {
  CheckpointEntry,
  Checkpoints,
  Exceptions,
  JobConfigView,
  JobDetail,
  JobStatus,
  JobsOverview,
  StopResponse,
  ThroughputPoint,
  Vertex,
  VertexDetail,
} from './schemas.js';

/** What the dashboard uses of a running job: the runtime's Job, whose events and metrics it reads. */
export interface DashboardJob {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly done: Promise<JobResult>;
  metrics(): JobMetrics;
  savepoint(targetDir?: string): Promise<{ readonly path: string }>;
  stop(options: { readonly savepoint?: string | true; readonly drain?: boolean }): Promise<{ readonly savepointPath?: string }>;
  on<E extends keyof JobEvents>(event: E, listener: (...args: JobEvents[E]) => void): unknown;
  off<E extends keyof JobEvents>(event: E, listener: (...args: JobEvents[E]) => void): unknown;
}

/** Points of the throughput chart: one a second, ten minutes. */
const THROUGHPUT_POINTS = 600;
/** Checkpoints kept for the history table (Flink's `web.checkpoints.history` is 10; a page scrolls). */
export const CHECKPOINT_HISTORY_SIZE = 50;
const EXCEPTION_HISTORY_SIZE = 100;

interface Reading {
  readonly wallTime: number;
  readonly elapsedMs: number;
  readonly metrics: JobMetrics;
  /** Rates per operator id since the previous reading. */
  readonly rates: ReadonlyMap<string, { readonly in: number; readonly out: number }>;
}

function watermarkJson(watermark: number | null): Vertex['watermark'] {
  return watermark === Infinity ? 'end' : watermark;
}

function lagOf(watermark: number | null, now: number): number | null {
  return watermark === null || !Number.isFinite(watermark) ? null : now - watermark;
}

function minAvgMax(values: readonly number[]): { min: number; avg: number; max: number } | null {
  if (values.length === 0) return null;
  return { min: Math.min(...values), avg: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) };
}

function checkpointEntry(stats: CheckpointStats): CheckpointEntry {
  const operators = new Map<string, CheckpointEntry['operators'][number]>();
  for (const s of stats.subtasks) {
    const op = operators.get(s.operatorId) ?? { id: s.operatorId, uid: s.uid, bytes: 0, stateBytes: 0, alignmentMs: 0, syncMs: 0, asyncMs: 0, subtasks: [] };
    operators.set(s.operatorId, {
      ...op,
      bytes: op.bytes + s.bytes,
      stateBytes: op.stateBytes + s.stateBytes,
      alignmentMs: Math.max(op.alignmentMs, s.alignmentMs),
      syncMs: Math.max(op.syncMs, s.syncMs),
      asyncMs: Math.max(op.asyncMs, s.asyncMs),
      subtasks: [...op.subtasks, { subtask: s.subtask, bytes: s.bytes, stateBytes: s.stateBytes, alignmentMs: s.alignmentMs, syncMs: s.syncMs, asyncMs: s.asyncMs }],
    });
  }
  return {
    id: stats.checkpointId,
    // Savepoints are written as `savepoint-<job>-<random>/` (runtime/checkpoint/savepoint-storage.ts), checkpoints as `chk-<n>/`.
    type: stats.location !== undefined && basename(stats.location).startsWith('savepoint-') ? 'savepoint' : 'checkpoint',
    status: stats.status === 'aborted' ? 'failed' : stats.status,
    final: stats.final,
    triggeredAt: stats.triggeredAt,
    durationMs: stats.durationMs,
    bytes: stats.bytes,
    stateBytes: stats.stateBytes,
    alignmentMs: stats.alignmentMs,
    syncMs: stats.syncMs,
    asyncMs: stats.asyncMs,
    unaligned: stats.unaligned,
    inFlightBytes: stats.inFlightBytes,
    acknowledged: stats.acknowledgedTasks,
    total: stats.totalTasks,
    location: stats.location ?? null,
    failure: stats.failure ?? null,
    operators: [...operators.values()],
  };
}

function pendingEntry(event: CheckpointStartedEvent, totalTasks: number): CheckpointEntry {
  return {
    id: event.checkpointId,
    type: 'checkpoint',
    status: 'in-progress',
    final: event.final,
    triggeredAt: event.triggeredAt,
    durationMs: 0,
    bytes: 0,
    stateBytes: 0,
    alignmentMs: 0,
    syncMs: 0,
    asyncMs: 0,
    unaligned: false,
    inFlightBytes: 0,
    acknowledged: 0,
    total: totalTasks,
    location: null,
    failure: null,
    operators: [],
  };
}

/**
 * Everything the dashboard shows of one job, kept up to date from the job's events and from `job.metrics()`
 * readings handed to `observe` (about one a second): rates come from cumulative counts between readings, so
 * they do not depend on who else reads the metrics. Holds a bounded history (throughput, checkpoints,
 * exceptions), so a long-running job costs the same memory as a short one.
 */
export class JobDashboard implements DashboardSource {
  readonly startTime: number;
  readonly jobId: string;
  private status: JobStatus = 'running';
  private restarts = 0;
  private reading: Reading | undefined;
  private readonly throughput: ThroughputPoint[] = [];
  private readonly checkpointHistory = new Map<number, CheckpointEntry>();
  private counts = { completed: 0, failed: 0 };
  private latestCompleted: CheckpointEntry | null = null;
  private latestFailed: CheckpointEntry | null = null;
  private readonly exceptionHistory: Exceptions['entries'][number][] = [];
  private readonly savepoints: Checkpoints['savepoints'][number][] = [];
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private readonly chainOf: ReadonlyMap<string, string>;
  private readonly totalTasks: number;

  constructor(
    readonly job: DashboardJob,
    private readonly source: JobConfigView['source'],
    private readonly now: () => number = Date.now,
  ) {
    this.startTime = now();
    this.jobId = job.jobId;
    const graph = job.graph;
    this.chainOf = new Map(graph.chains.flatMap((chain) => chain.operators.map((id) => [id, chain.id] as const)));
    this.totalTasks = graph.chains.reduce((sum, chain) => sum + chain.parallelism, 0);
    const started = (event: CheckpointStartedEvent) => this.remember(pendingEntry(event, this.totalTasks));
    const completed = (stats: CheckpointStats) => {
      this.counts.completed++;
      this.latestCompleted = this.remember(checkpointEntry(stats));
      this.changed();
    };
    const aborted = (stats: CheckpointStats) => {
      this.counts.failed++;
      this.latestFailed = this.remember(checkpointEntry(stats));
      this.changed();
    };
    const restart = (event: RestartEvent) => {
      this.restarts++;
      const failure = event.error instanceof OperatorFailure ? event.error : undefined;
      this.exception({ kind: 'restart', message: event.reason, uid: failure?.uid ?? failure?.operatorId ?? null, subtask: failure?.subtask ?? null, checkpointId: event.checkpointId });
    };
    const warning = (event: JobWarning) => this.exception({ kind: 'warning', message: event.message, uid: event.operator, subtask: event.subtask, checkpointId: null });
    job.on('checkpoint-started', started);
    job.on('checkpoint-completed', completed);
    job.on('checkpoint-aborted', aborted);
    job.on('restart', restart);
    job.on('warning', warning);
    this.unsubscribe = () => {
      job.off('checkpoint-started', started);
      job.off('checkpoint-completed', completed);
      job.off('checkpoint-aborted', aborted);
      job.off('restart', restart);
      job.off('warning', warning);
    };
    job.done.then(
      (result) => {
        this.status = result.status;
        this.observe(result.metrics);
      },
      (error: unknown) => {
        this.status = 'failed';
        const failure = error instanceof OperatorFailure ? error : undefined;
        this.exception({
          kind: 'failure',
          message: error instanceof Error ? error.message : String(error),
          uid: failure?.uid ?? failure?.operatorId ?? null,
          subtask: failure?.subtask ?? null,
          checkpointId: null,
        });
      },
    );
  }

  /** Stops listening to the job's events. */
  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  /** Calls `listener` after every reading and checkpoint; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private remember(entry: CheckpointEntry): CheckpointEntry {
    this.checkpointHistory.set(entry.id, entry);
    if (this.checkpointHistory.size > CHECKPOINT_HISTORY_SIZE) this.checkpointHistory.delete(Math.min(...this.checkpointHistory.keys()));
    return entry;
  }

  private exception(entry: Omit<Exceptions['entries'][number], 'time'>): void {
    this.exceptionHistory.unshift({ time: this.now(), ...entry });
    if (this.exceptionHistory.length > EXCEPTION_HISTORY_SIZE) this.exceptionHistory.pop();
    this.changed();
  }

  private savepointTaken(path: string, trigger: 'savepoint' | 'stop'): void {
    this.savepoints.push({ path, time: this.now(), trigger });
    this.changed();
  }

  /** Takes a savepoint into `targetDir` (default `state.savepoints.dir`); the job keeps running. */
  async takeSavepoint(targetDir?: string): Promise<string> {
    const { path } = await this.job.savepoint(targetDir);
    this.savepointTaken(path, 'savepoint');
    return path;
  }

  /** Stops the job, with a savepoint unless `savepoint` is false; resolves once it ended. */
  async stopJob(options: { readonly savepoint: boolean; readonly targetDir?: string; readonly drain: boolean }): Promise<StopResponse> {
    const target = options.targetDir ?? true;
    const stopped = await this.job.stop({ ...(options.savepoint ? { savepoint: target } : {}), drain: options.drain });
    if (stopped.savepointPath !== undefined) this.savepointTaken(stopped.savepointPath, 'stop');
    return { status: this.status, savepointPath: stopped.savepointPath ?? null };
  }

  /** Takes in a reading of `job.metrics()`. */
  observe(metrics: JobMetrics): void {
    const previous = this.reading;
    const seconds = previous === undefined ? metrics.elapsedMs / 1000 : (metrics.elapsedMs - previous.elapsedMs) / 1000;
    const before = new Map(previous?.metrics.operators.map((op) => [op.id, op]));
    const rates = new Map<string, { in: number; out: number }>();
    for (const op of metrics.operators) {
      const last = before.get(op.id);
      // A restart begins a new attempt whose counters start from zero.
      const restarted = last !== undefined && (op.recordsIn < last.recordsIn || op.recordsOut < last.recordsOut);
      const base = last === undefined || restarted ? { recordsIn: 0, recordsOut: 0 } : last;
      rates.set(op.id, seconds <= 0 ? { in: 0, out: 0 } : { in: (op.recordsIn - base.recordsIn) / seconds, out: (op.recordsOut - base.recordsOut) / seconds });
    }
    this.reading = { wallTime: this.now(), elapsedMs: metrics.elapsedMs, metrics, rates };
    const { rowsInPerSecond, rowsOutPerSecond } = this.totals();
    this.throughput.push({ time: this.reading.wallTime, rowsInPerSecond, rowsOutPerSecond });
    if (this.throughput.length > THROUGHPUT_POINTS) this.throughput.shift();
    this.changed();
  }

  private totals(): { rowsIn: number; rowsOut: number; rowsInPerSecond: number; rowsOutPerSecond: number } {
    const totals = { rowsIn: 0, rowsOut: 0, rowsInPerSecond: 0, rowsOutPerSecond: 0 };
    for (const op of this.reading?.metrics.operators ?? []) {
      const rate = this.reading?.rates.get(op.id);
      if (op.kind === 'source') {
        totals.rowsIn += op.recordsOut;
        totals.rowsInPerSecond += rate?.out ?? 0;
      } else if (op.kind === 'sink') {
        totals.rowsOut += op.recordsIn;
        totals.rowsOutPerSecond += rate?.in ?? 0;
      }
    }
    return totals;
  }

  private vertices(): Vertex[] {
    const now = this.now();
    const reports = new Map(this.reading?.metrics.operators.map((op) => [op.id, op]));
    const tasks = this.reading?.metrics.tasks ?? [];
    const stateBytes = new Map(this.latestCompleted?.operators.map((op) => [op.id, op.stateBytes]));
    return this.job.graph.operators.map((operator) => {
      const report = reports.get(operator.id);
      const rate = this.reading?.rates.get(operator.id);
      const chain = this.chainOf.get(operator.id) ?? operator.id;
      const backpressure = Math.max(0, ...tasks.filter((task) => task.chain === chain).map((task) => task.backpressureRatio));
      const watermark = report?.watermark ?? null;
      return {
        id: operator.id,
        uid: operator.uid,
        name: operator.name,
        kind: operator.spec.kind,
        parallelism: operator.parallelism,
        chain,
        rowsIn: report?.recordsIn ?? 0,
        rowsOut: report?.recordsOut ?? 0,
        rowsInPerSecond: Math.max(0, rate?.in ?? 0),
        rowsOutPerSecond: Math.max(0, rate?.out ?? 0),
        backpressure: Math.min(1, backpressure),
        watermark: watermarkJson(watermark),
        watermarkLagMs: lagOf(watermark, now),
        stateBytes: this.latestCompleted === null ? null : (stateBytes.get(operator.id) ?? 0),
      };
    });
  }

  private checkpointCounts(): NonNullable<JobDetail['checkpointCounts']> {
    const inProgress = [...this.checkpointHistory.values()].filter((c) => c.status === 'in-progress').length;
    return { ...this.counts, inProgress };
  }

  detail(): JobDetail {
    const graph = this.job.graph;
    const now = this.now();
    return {
      id: this.job.jobId,
      name: graph.name,
      status: this.status,
      startTime: this.startTime,
      now,
      uptimeMs: Math.max(0, now - this.startTime),
      restarts: this.restarts,
      ...this.totals(),
      throughput: [...this.throughput],
      vertices: this.vertices(),
      edges: graph.edges.map((edge) => ({ from: edge.from, to: edge.to, partitioning: edge.partitioning })),
      chains: graph.chains.map((chain) => ({ id: chain.id, operators: [...chain.operators], parallelism: chain.parallelism })),
      checkpointCounts: graph.config.checkpointing.intervalMs === null ? null : this.checkpointCounts(),
    };
  }

  /** A vertex by uid (or generated id) with its subtasks; undefined when the graph has none such. */
  vertex(uid: string): VertexDetail | undefined {
    const vertex = this.vertices().find((v) => v.uid === uid || v.id === uid);
    if (vertex === undefined) return undefined;
    const report = this.reading?.metrics.operators.find((op) => op.id === vertex.id);
    const tasks = this.reading?.metrics.tasks.filter((task) => task.chain === vertex.chain) ?? [];
    const subtasks = Array.from({ length: vertex.parallelism }, (_, subtask) => {
      const metrics = report?.subtasks.find((s) => s.subtask === subtask);
      const task = tasks.find((t) => t.subtask === subtask);
      return {
        subtask,
        rowsIn: metrics?.recordsIn ?? 0,
        rowsOut: metrics?.recordsOut ?? 0,
        lateRowsDropped: metrics?.lateRowsDropped ?? 0,
        watermark: watermarkJson(metrics?.watermark ?? null),
        backpressure: task?.backpressureRatio ?? 0,
        idle: task?.idleRatio ?? 0,
      };
    });
    return { ...vertex, subtasks };
  }

  checkpoints(): Checkpoints {
    const history = [...this.checkpointHistory.values()].sort((a, b) => b.id - a.id);
    const completed = history.filter((c) => c.status === 'completed');
    const of = (field: 'durationMs' | 'bytes' | 'stateBytes' | 'alignmentMs' | 'syncMs' | 'asyncMs') => minAvgMax(completed.map((c) => c[field]));
    const { checkpointing, state } = this.job.graph.config;
    return {
      counts: this.checkpointCounts(),
      latest: { completed: this.latestCompleted, failed: this.latestFailed },
      history,
      summary: { durationMs: of('durationMs'), bytes: of('bytes'), stateBytes: of('stateBytes'), alignmentMs: of('alignmentMs'), syncMs: of('syncMs'), asyncMs: of('asyncMs') },
      config: { ...checkpointing, checkpointsDir: state.checkpointsDir, savepointsDir: state.savepointsDir, numRetained: state.numRetained },
      savepoints: [...this.savepoints],
    };
  }

  exceptions(): Exceptions {
    return { restarts: this.restarts, entries: [...this.exceptionHistory] };
  }

  config(): JobConfigView {
    return { config: this.job.graph.config, source: this.source, summary: summarize(this.job.graph) };
  }

  summary(): JobsOverview['jobs'][number] {
    return { id: this.jobId, name: this.job.graph.name, status: this.status, startTime: this.startTime };
  }
}
