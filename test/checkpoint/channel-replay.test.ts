import { describe, expect, it } from 'vitest';
import type { Edge } from '../../compiler/graph/job-graph.js';
import { Channel } from '../../runtime/channels/channel.js';
import type { ChannelStateFile } from '../../runtime/checkpoint/metadata/metadata-v5.js';
import { replayInFlight } from '../../runtime/checkpoint/restore/channel-replay.js';
import type { LoadedChannelState } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { keyGroupOf, subtaskForKeyGroup } from '../../runtime/state/key-groups.js';
import { col, edge } from '../runtime/job-graph-fixtures.js';

const MAX_PARALLELISM = 128;

function inFlight(e: Edge, fromSubtask: number, toSubtask: number, direction: ChannelStateFile['direction'], values: number[]): LoadedChannelState {
  return {
    file: { edge: { from: e.from, to: e.to, toInput: e.toInput }, fromSubtask, toSubtask, direction, path: 'f', bytes: 1, sha256: '0'.repeat(64), batches: 1, records: values.length },
    batches: [{ rows: values.map((v) => [v]) }],
  };
}

/** A fresh channel grid `from × to` (forward edges: only the diagonal). */
function grid(e: Edge, from: number, to: number): (Channel | undefined)[][] {
  return Array.from({ length: from }, (_, f) => Array.from({ length: to }, (_, t) => (e.partitioning === 'forward' && f !== t ? undefined : new Channel(8))));
}

/** The values each channel holds, in order. */
function contents(channels: (Channel | undefined)[][]): (number[] | null)[][] {
  return channels.map((row) =>
    row.map((channel) => {
      if (channel === undefined) return null;
      const values: number[] = [];
      for (let e = channel.poll(); e !== undefined; e = channel.poll()) if (e.type === 'batch') values.push(...e.batch.rows.map((r) => r[0] as number));
      return values;
    }),
  );
}

describe('replaying the records in flight of an unaligned checkpoint into new channels', () => {
  it('puts each channel back as it was at the same parallelism: the receiver’s recorded input first, then the sender’s overtaken output', () => {
    const e = edge('a', 'b', 'rebalance');
    const channels = grid(e, 2, 2);
    replayInFlight(e, channels, [inFlight(e, 1, 0, 'output', [3, 4]), inFlight(e, 1, 0, 'input', [1, 2]), inFlight(e, 0, 1, 'output', [7]), inFlight(edge('x', 'b', 'rebalance'), 0, 0, 'input', [9])], MAX_PARALLELISM, new Map());
    expect(contents(channels)).toEqual([
      [[], [7]],
      [[1, 2, 3, 4], []],
    ]);
  });

  it('sends a rebalancing edge’s records from subtask from % p to subtask to % p at another parallelism', () => {
    const e = edge('a', 'b', 'rebalance');
    const channels = grid(e, 1, 2);
    replayInFlight(e, channels, [inFlight(e, 0, 2, 'input', [1]), inFlight(e, 1, 1, 'output', [2]), inFlight(e, 1, 2, 'output', [3])], MAX_PARALLELISM, new Map());
    // 0→2 and 1→2 both land on 0→0 (2 % 2), in old-channel order; 1→1 on 0→1.
    expect(contents(channels)).toEqual([[[1, 3], [2]]]);
  });

  it('keeps a forward edge’s records on the diagonal', () => {
    const e = edge('a', 'b', 'forward');
    const channels = grid(e, 2, 2);
    replayInFlight(e, channels, [inFlight(e, 3, 3, 'output', [5])], MAX_PARALLELISM, new Map());
    expect(contents(channels)).toEqual([
      [[], null],
      [null, [5]],
    ]);
  });

  it('partitions a keyed edge’s records again by key over the new subtasks', () => {
    const e = edge('a', 'b', 'hash', { keys: [col(0)] });
    const values = Array.from({ length: 40 }, (_, i) => i);
    const channels = grid(e, 1, 3);
    replayInFlight(e, channels, [inFlight(e, 0, 0, 'input', values.slice(0, 20)), inFlight(e, 1, 1, 'output', values.slice(20))], MAX_PARALLELISM, new Map());
    const owner = (v: number) => subtaskForKeyGroup(keyGroupOf([v], MAX_PARALLELISM), 3, MAX_PARALLELISM);
    expect(contents(channels)).toEqual([[0, 1, 2].map((t) => values.filter((v) => owner(v) === t))]);
  });
});
