import type { StoredCheckpoint } from './storage/checkpoint-storage.js';

/**
 * The completed checkpoints a job retains (`state.checkpoints.num-retained`), oldest first: those found from
 * earlier runs, then the ones this job completes. Adding one hands back those that fall out of retention.
 */
export class CompletedCheckpointStore {
  private checkpoints: StoredCheckpoint[];

  constructor(
    private readonly retained: number,
    found: readonly StoredCheckpoint[] = [],
  ) {
    this.checkpoints = [...found].sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
  }

  /** Adds a newly completed checkpoint; returns the older ones to discard. */
  add(checkpoint: StoredCheckpoint): StoredCheckpoint[] {
    this.checkpoints.push(checkpoint);
    const excess = Math.max(0, this.checkpoints.length - this.retained);
    return this.checkpoints.splice(0, excess);
  }

  /** Newest first: the order in which a restore tries them. */
  newestFirst(): StoredCheckpoint[] {
    return [...this.checkpoints].reverse();
  }

  /** Empties the store, returning everything it held (to delete it). */
  removeAll(): StoredCheckpoint[] {
    const all = this.checkpoints;
    this.checkpoints = [];
    return all;
  }
}
