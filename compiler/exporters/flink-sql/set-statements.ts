import { Diagnostics } from '../../diagnostics/catalogue.js';
import type { JobGraph } from '../../graph/job-graph.js';
import { stringLiteral } from '../render-expr.js';
import type { ExportContext } from './export-context.js';

/** Sluice's state backends by the Flink backend that keeps state the same way. */
const STATE_BACKENDS: Readonly<Record<string, string>> = { memory: 'hashmap', fs: 'hashmap', disk: 'rocksdb' };
const BACKEND_KEYS = new Set(['state.backend.type', 'state.backend']);
const DIRECTORY_KEYS = new Set(['state.checkpoints.dir', 'execution.checkpointing.dir', 'state.savepoints.dir', 'execution.checkpointing.savepoint-dir']);

/**
 * The job's SET statements for Flink: Sluice's configuration keys are Flink's, so they are written as the file
 * set them, except the state backend's name. A directory must be a URI every Flink TaskManager can reach.
 */
export function setStatements(graph: JobGraph, ctx: ExportContext): string[] {
  const statements: string[] = [];
  for (const [key, value] of Object.entries(graph.config.settings)) {
    let flinkValue = value;
    if (BACKEND_KEYS.has(key)) flinkValue = STATE_BACKENDS[value] ?? value;
    if (DIRECTORY_KEYS.has(key) && !/^[a-z][a-z0-9+.-]*:\//i.test(value)) {
      ctx.reportJob(graph.file, Diagnostics.FlinkRewrite, {
        step: key,
        what: `the directory '${value}'`,
        difference: 'a Flink cluster resolves it on every TaskManager, not on this machine',
        help: "change it in the script to a URI every TaskManager reaches, e.g. 's3://bucket/checkpoints' or 'file:///shared/checkpoints'",
      });
    }
    statements.push(`SET ${stringLiteral(key)} = ${stringLiteral(flinkValue)};`);
  }
  return statements;
}
