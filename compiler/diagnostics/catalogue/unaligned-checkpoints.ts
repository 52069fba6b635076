import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * Unaligned checkpoints (`execution.checkpointing.unaligned.enabled`, docs/checkpoints.md): SLC1060–SLC1064 for the
 * configuration, SLC9240–SLC9249 for restoring the in-flight records an unaligned checkpoint holds.
 */
export const unalignedCheckpointDiagnostics = {
  UnalignedWithAtLeastOnce: {
    code: 'SLC1060',
    severity: 'error',
    message: "unaligned checkpoints need 'execution.checkpointing.mode' = 'EXACTLY_ONCE'",
    help: "AT_LEAST_ONCE never blocks a channel, so there is nothing for a barrier to overtake (Flink refuses the combination too): remove 'execution.checkpointing.unaligned.enabled' or the AT_LEAST_ONCE mode",
  },
  AlignedTimeoutWithoutUnaligned: {
    code: 'SLC1061',
    severity: 'warning',
    message: "'{key}' has no effect because unaligned checkpoints are not enabled",
    help: "add SET 'execution.checkpointing.unaligned.enabled' = 'true' to switch a checkpoint to unaligned after this timeout, or remove this setting",
  },
  InFlightEdgeMissing: {
    code: 'SLC9240',
    severity: 'error',
    message: "cannot restore {source}: it is an unaligned checkpoint holding records in flight from '{from}' to '{to}', and this job has no such connection",
    help: 'restore it with the job it was taken with (the graph may not change around records in flight), or take a savepoint of that job (savepoints are always aligned) and restore the changed job from it',
  },
  InFlightBroadcastRescale: {
    code: 'SLC9241',
    severity: 'error',
    message: "cannot restore {source} at another parallelism: it holds records in flight on the broadcast connection from '{from}' to '{to}' ({oldParallelism} → {newParallelism} subtasks)",
    help: 'restore it at the parallelism it was taken with, or take a savepoint (always aligned) and rescale from that',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
