import type { Edge } from '../../../compiler/graph/job-graph.js';
import type { ChannelWriter } from '../../channels/channel.js';
import { EdgeWriter } from '../../channels/output-writer.js';
import type { UdfImplementations } from '../../expressions/compile-expr.js';
import type { LoadedChannelState } from './load-checkpoint.js';

/**
 * Puts an unaligned checkpoint's records in flight on `edge` back into its channels (`grid[from][to]`) before any
 * task runs, so they are read before new input. Per old channel the receiver's recorded input comes first (it
 * arrived before that channel's barrier), then the sender's overtaken output (queued behind the barrier).
 * At another parallelism the old sending subtask `f` becomes `f % parallelism`; records of a keyed (hash) edge are
 * partitioned again by key, those of a forward or rebalancing edge go to subtask `to % parallelism`. (Broadcast
 * edges are refused at another parallelism by the restore plan.)
 */
export function replayInFlight(
  edge: Edge,
  grid: readonly (readonly (ChannelWriter | undefined)[])[],
  inFlight: readonly LoadedChannelState[],
  maxParallelism: number,
  udfs: UdfImplementations,
): void {
  const ordered = inFlight
    .filter(({ file }) => file.edge.from === edge.from && file.edge.to === edge.to && file.edge.toInput === edge.toInput)
    .sort((a, b) => a.file.fromSubtask - b.file.fromSubtask || a.file.toSubtask - b.file.toSubtask || DIRECTION_ORDER[a.file.direction] - DIRECTION_ORDER[b.file.direction]);
  if (ordered.length === 0) return;
  const fromParallelism = grid.length;
  const toParallelism = grid[0]!.length;
  const byKey = new Map<number, EdgeWriter>();
  for (const { file, batches } of ordered) {
    const from = file.fromSubtask % fromParallelism;
    if (edge.partitioning === 'hash') {
      let writer = byKey.get(from);
      if (writer === undefined) {
        writer = new EdgeWriter(edge, grid[from]!.filter((c): c is ChannelWriter => c !== undefined), maxParallelism, udfs);
        byKey.set(from, writer);
      }
      for (const batch of batches) writer.pushBatch(batch);
      continue;
    }
    const channel = grid[from]![edge.partitioning === 'forward' ? from : file.toSubtask % toParallelism]!;
    for (const batch of batches) channel.push({ type: 'batch', batch });
  }
}

const DIRECTION_ORDER = { input: 0, output: 1 } as const;
