import type { StateFile } from '../checkpoint/metadata/metadata-v4.js';
import type { CheckpointStorage, RecoveredCheckpoints, StoredCheckpoint, WrittenFile } from '../checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../checkpoint/storage/file-storage.js';
import type { KeyedStateChains } from '../checkpoint/storage/keyed-state-chains.js';
import type { KeyedStateSnapshot } from '../state/keyed-state-backend.js';
import { keyedStateLines } from '../state/snapshot-format.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * The job's checkpoint directory as a worker writes into it: state files only (the main thread's storage completes
 * and discards checkpoints). Written in full: the chains of incremental checkpoints are kept by the main thread's
 * storage, which does not see a worker's writes.
 */
export class WorkerFileStorage extends FileCheckpointStorage {
  override get chains(): KeyedStateChains | undefined {
    return undefined;
  }
}

/**
 * Checkpoint storage that lives on the main thread (the `memory` backend's, or one a Node program injected): a
 * worker sends each keyed snapshot there as its canonical lines, and the main thread writes it (slot-worker.ts).
 */
export class MainThreadStorage implements CheckpointStorage {
  readonly backend = 'memory' as const;
  readonly description = 'the main thread';
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly post: (message: FromWorker) => void) {}

  writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    return this.write('keyed', checkpointId, owner, keyedStateLines(snapshot)) as Promise<StateFile[]>;
  }

  writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile> {
    return this.write('channel', checkpointId, name, lines) as Promise<WrittenFile>;
  }

  private write(what: 'keyed' | 'channel', checkpointId: number, name: string, lines: Iterable<string>): Promise<unknown> {
    const id = this.nextId++;
    const text = [...lines].join('\n');
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: 'write-state', id, what, checkpointId, name, text });
    });
  }

  /** The main thread's answer to a `write-state`. */
  written(message: Extract<ToWorker, { type: 'state-written' }>): void {
    const waiting = this.waiting.get(message.id)!;
    this.waiting.delete(message.id);
    if (message.result === undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.result);
  }

  discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    this.post({ type: 'discard', checkpointId, files });
    return Promise.resolve();
  }

  recover(): Promise<RecoveredCheckpoints> {
    return Promise.reject(new Error('a worker never recovers checkpoints'));
  }

  complete(): Promise<StoredCheckpoint> {
    return Promise.reject(new Error('a worker never completes checkpoints'));
  }

  recordSavepoint(): Promise<void> {
    return Promise.reject(new Error('a worker never records savepoints'));
  }
}
