import { describe, expect, it } from 'vitest';
import { CompletedCheckpointStore } from '../../runtime/checkpoint/completed-checkpoint.js';
import type { DamagedCheckpoint, StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { metadataFor } from './state-fixtures.js';

const stored = (id: number): StoredCheckpoint => ({
  metadata: metadataFor(id, []),
  location: { description: `chk-${id}`, readFile: () => Promise.reject(new Error('not read here')) },
});
const damaged = (id: number): DamagedCheckpoint => ({ checkpointId: id, location: `chk-${id}`, reason: 'its _metadata is missing' });
const ids = (result: { checkpoints: readonly StoredCheckpoint[]; damaged: readonly DamagedCheckpoint[] }) => ({
  checkpoints: result.checkpoints.map((c) => c.metadata.checkpointId),
  damaged: result.damaged.map((d) => d.checkpointId),
});

describe('the completed checkpoint store', () => {
  it('hands back a damaged checkpoint only once num-retained newer completed checkpoints are retained', () => {
    const store = new CompletedCheckpointStore(2, [stored(1)], [damaged(2)]);
    expect(ids(store.add(stored(3)))).toEqual({ checkpoints: [], damaged: [] });
    expect(ids(store.add(stored(4)))).toEqual({ checkpoints: [1], damaged: [2] });
    expect(ids(store.add(stored(5)))).toEqual({ checkpoints: [3], damaged: [] });
  });

  it('does not count damaged checkpoints as retained, and hands them back with the rest on removeAll', () => {
    const store = new CompletedCheckpointStore(1, [], [damaged(7), damaged(3)]);
    expect(ids(store.removeAll())).toEqual({ checkpoints: [], damaged: [7, 3] });
    const other = new CompletedCheckpointStore(1, [], [damaged(7), damaged(9)]);
    expect(ids(other.add(stored(8)))).toEqual({ checkpoints: [], damaged: [7] });
  });
});
