import type { DamagedCheckpoint, StoredCheckpoint } from './storage/checkpoint-storage.js';

/** What falls out of retention when a checkpoint is added. */
export interface PastRetention {
  readonly checkpoints: readonly StoredCheckpoint[];
  /** Damaged checkpoints (their directories) older than every retained one. */
  readonly damaged: readonly DamagedCheckpoint[];
}

/**
 * The completed checkpoints a job retains (`state.checkpoints.num-retained`), oldest first: those found from
 * earlier runs, then the ones this job completes. Adding one hands back those that fall out of retention.
 * Damaged checkpoints found at the start do not count as retained; they are kept for the user to look at until
 * `retained` newer completed checkpoints exist, then handed back too (else they would stay forever).
 */
export class CompletedCheckpointStore {
  private checkpoints: StoredCheckpoint[];
  private damaged: DamagedCheckpoint[];

  constructor(
    private readonly retained: number,
    found: readonly StoredCheckpoint[] = [],
    damaged: readonly DamagedCheckpoint[] = [],
  ) {
    this.checkpoints = [...found].sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
    this.damaged = [...damaged];
  }

  /** Adds a newly completed checkpoint; returns what to discard. */
  add(checkpoint: StoredCheckpoint): PastRetention {
    this.checkpoints.push(checkpoint);
    const excess = Math.max(0, this.checkpoints.length - this.retained);
    const checkpoints = this.checkpoints.splice(0, excess);
    const oldestRetained = this.checkpoints[0]!.metadata.checkpointId;
    const full = this.checkpoints.length >= this.retained;
    const damaged = this.damaged.filter((d) => full && d.checkpointId < oldestRetained);
    this.damaged = this.damaged.filter((d) => !damaged.includes(d));
    return { checkpoints, damaged };
  }

  /** Newest first: the order in which a restore tries them. */
  newestFirst(): StoredCheckpoint[] {
    return [...this.checkpoints].reverse();
  }

  /** Empties the store, returning everything it held (to delete it). */
  removeAll(): PastRetention {
    const all = { checkpoints: this.checkpoints, damaged: this.damaged };
    this.checkpoints = [];
    this.damaged = [];
    return all;
  }
}
