import * as z from 'zod';
import { JobGraphSchema } from '../../../compiler/graph/job-graph.js';
import { MetadataV1Schema, type MetadataV1 } from './metadata-v1.js';

/**
 * Version 2 of `_metadata`: version 1 plus the complete job graph that wrote it, so that
 * `sluice compile --check-savepoint` and every restore can compare it with the new job (compiler/savepoint-compat).
 * How much each state holds is not recorded: it is counted from the verified state files when they are read.
 */
export const MetadataV2Schema = MetadataV1Schema.extend({
  version: z.literal(2),
  /** The job graph the snapshot was taken with; null when it was migrated from version 1, which did not record it. */
  graph: JobGraphSchema.nullable(),
  /**
   * Created when a job starts from scratch and carried over by every restore (sink-connector.ts SinkContext); absent
   * in metadata written before it existed, read as `legacy-<jobId>` (lineageOf).
   */
  lineage: z.string().min(1).optional(),
});
export type MetadataV2 = z.infer<typeof MetadataV2Schema>;

/** Version 1 recorded no job graph: the compatibility check of such a snapshot is limited to what a restore plans. */
export function migrateV1(previous: unknown): MetadataV2 {
  return { ...(previous as MetadataV1), version: 2, graph: null };
}

/** The lineage of a snapshot; metadata written before lineages existed belongs to a lineage of its own job. */
export function lineageOf(metadata: Pick<MetadataV2, 'lineage' | 'jobId'>): string {
  return metadata.lineage ?? `legacy-${metadata.jobId}`;
}
