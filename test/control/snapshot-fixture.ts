import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { METADATA_FILE, parseMetadata, serializeMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { Job } from '../../runtime/execution/job.js';

/** Counts 3,000 generated rows per value of v (1 to 5), with a checkpoint at the end of the input. */
const COUNTS_PIPE = `
SET 'pipeline.name' = 'counts';
SET 'execution.checkpointing.interval' = '1 min';
SET 'state.backend' = 'fs';
SET 'state.checkpoints.num-retained' = '1';
CREATE SOURCE ticks (id BIGINT, v INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3000', 'fields.v.min' = '1', 'fields.v.max' = '5') UID 'ticks';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM ticks |> AGGREGATE COUNT(*) AS n GROUP BY v UID 'per-v';
`;

/**
 * Runs the counts pipeline to its end with checkpoints under `dir`; the directory of its final checkpoint.
 * `settings` adds to the pipeline's own (`table.exec.state.ttl`, say).
 */
export async function countsCheckpoint(dir: string, settings: Readonly<Record<string, string>> = {}): Promise<string> {
  const { value: graph, diagnostics } = compile(COUNTS_PIPE, { file: 'counts.pipe', settings: { ...settings, 'state.checkpoints.dir': dir } });
  if (graph === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const job = await Job.start(graph);
  let last: number | undefined;
  job.on('checkpoint-completed', (stats) => (last = stats.checkpointId));
  await job.done;
  if (last === undefined) throw new Error('the run completed no checkpoint');
  return join(dir, 'counts', `chk-${last}`);
}

/** A copy of a checkpoint at `target` whose metadata says savepoint: what a savepoint of the same state holds. */
export async function copyAsSavepoint(checkpointDir: string, target: string): Promise<string> {
  await cp(checkpointDir, target, { recursive: true });
  const read = parseMetadata(await readFile(join(target, METADATA_FILE), 'utf8'), target);
  if ('error' in read) throw new Error(read.error);
  await writeFile(join(target, METADATA_FILE), serializeMetadata({ ...read.metadata, type: 'savepoint' }));
  return target;
}
