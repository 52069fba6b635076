import * as z from 'zod';
import { StateDescriptorSchema } from '../../../compiler/graph/job-graph.js';

/**
 * Version 1 of `_metadata`, the document that makes a checkpoint (or savepoint) directory: which job and graph
 * it belongs to, and per operator the state of every subtask. Keyed state lives in files referenced by paths
 * relative to the directory holding `_metadata` (so the directory can be moved), with their size, sha256 and
 * key-group range; operator state (source positions, a sink's pending commits) is small and kept inline.
 * Nothing here depends on the state backend that wrote it.
 */
export const METADATA_FORMAT = 'sluice-checkpoint-metadata';

const KeyGroupRangeSchema = z.object({ start: z.number().int().min(0), end: z.number().int() });

export const StateFileSchema = z.object({
  /** Relative to the directory of `_metadata`, '/'-separated. */
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  keyGroupRange: KeyGroupRangeSchema,
});
export type StateFile = z.infer<typeof StateFileSchema>;

const OperatorStateListSchema = z.object({
  name: z.string(),
  redistribution: z.enum(['split', 'union']),
  items: z.array(z.unknown()),
});

export const SubtaskStateSchema = z.object({
  subtask: z.number().int().min(0),
  keyGroupRange: KeyGroupRangeSchema,
  keyedState: z.array(StateFileSchema),
  operatorState: z.array(OperatorStateListSchema),
});
export type SubtaskState = z.infer<typeof SubtaskStateSchema>;

export const OperatorStateEntrySchema = z.object({
  /** null for an operator without a uid (stateless steps); it is then matched by `id`. */
  uid: z.string().nullable(),
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  parallelism: z.number().int().min(1),
  /** The state the operator declared, as the job graph did. */
  state: z.array(StateDescriptorSchema),
  /** The operator's job-graph spec, for the savepoint compatibility check. */
  spec: z.unknown(),
  subtasks: z.array(SubtaskStateSchema),
});
export type OperatorStateEntry = z.infer<typeof OperatorStateEntrySchema>;

export const MetadataV1Schema = z.object({
  format: z.literal(METADATA_FORMAT),
  version: z.literal(1),
  type: z.enum(['checkpoint', 'savepoint']),
  jobId: z.string(),
  pipelineName: z.string(),
  /** compiler/graph/digest.ts of the graph that wrote it. */
  graphDigest: z.string(),
  checkpointId: z.number().int().min(1),
  /** When the checkpoint was triggered, in ms since the epoch. */
  timestamp: z.number(),
  maxParallelism: z.number().int().min(1),
  /** The backend that wrote it (informational: the format does not depend on it). */
  stateBackend: z.enum(['memory', 'fs', 'disk']),
  operators: z.array(OperatorStateEntrySchema),
});
export type MetadataV1 = z.infer<typeof MetadataV1Schema>;
