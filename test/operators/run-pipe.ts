import { compile, type CompileOptions } from '../../compiler/compile.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { Job } from '../../runtime/execution/job.js';
import type { JobOptions, JobResult } from '../../runtime/execution/job-options.js';
import type { SinkCallback } from '../../runtime/operators/callback-sink.js';
import type { SourceFeed } from '../../runtime/operators/iterable-source.js';
import { RowKind } from '../../runtime/record-batch.js';

/**
 * Runs real `.pipe` text for operator tests: compile() (which must succeed), then Job.start with every source fed
 * from the given rows by uid and every sink read by callback. Shared by the operator test areas.
 */

/** What one sink received, in arrival order (subtasks interleaved): rows and their change kinds. */
export interface SinkOutput {
  readonly rows: unknown[][];
  readonly kinds: RowKind[];
}

export interface PipeRun {
  readonly graph: JobGraph;
  readonly result: JobResult;
  /** By sink uid. */
  readonly sinks: Readonly<Record<string, SinkOutput>>;
}

export interface RunPipeOptions {
  /** Rows (arrays in column order, or objects by column name) per source uid. */
  readonly sources: Readonly<Record<string, SourceFeed>>;
  /** Sets `parallelism.default`. */
  readonly parallelism?: number;
  readonly compile?: CompileOptions;
  /** Everything else Job.start takes (UDFs, process functions, batch size, clock, …). */
  readonly job?: Omit<JobOptions, 'sources' | 'sinks'>;
}

/** Compiles `text`, throwing the diagnostics when there is an error (a test's program must compile). */
export function compilePipe(text: string, options: CompileOptions = {}, parallelism?: number): JobGraph {
  const settings = parallelism === undefined ? options.settings : { ...options.settings, 'parallelism.default': String(parallelism) };
  const { value, diagnostics } = compile(text, { file: 'test.pipe', ...options, ...(settings === undefined ? {} : { settings }) });
  if (value === undefined) throw new Error(`the test program does not compile:\n${diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  return value;
}

export async function runPipe(text: string, options: RunPipeOptions): Promise<PipeRun> {
  const graph = compilePipe(text, options.compile, options.parallelism);
  const sinks: Record<string, SinkOutput> = {};
  const callbacks: Record<string, SinkCallback> = {};
  for (const operator of graph.operators) {
    if (operator.spec.kind !== 'sink' || operator.uid === null) continue;
    const output: SinkOutput = { rows: [], kinds: [] };
    sinks[operator.uid] = output;
    callbacks[operator.uid] = (rows, info) => {
      for (let i = 0; i < rows.length; i++) {
        output.rows.push([...rows[i]!]);
        output.kinds.push(info.kinds === undefined ? RowKind.INSERT : (info.kinds[i] as RowKind));
      }
    };
  }
  const job = await Job.start(graph, { ...options.job, sources: options.sources, sinks: callbacks });
  return { graph, result: await job.done, sinks };
}
