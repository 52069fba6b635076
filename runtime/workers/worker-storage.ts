import path from 'node:path';
import type { StateFile } from '../checkpoint/metadata/metadata-v4.js';
import type { CheckpointStorage, RecoveredCheckpoints, StoredCheckpoint, WrittenFile } from '../checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../checkpoint/storage/file-storage.js';
import { SHARED_DIR } from '../checkpoint/storage/checkpoint-names.js';
import { isNotFound } from '../checkpoint/storage/file-system.js';
import type { ChainWrite } from '../checkpoint/storage/keyed-state-chains.js';
import type { KeyedStateDelta, KeyedStateSnapshot } from '../state/keyed-state-backend.js';
import { keyedStateLines } from '../state/snapshot-format.js';
import type { ChainRecord, FromWorker, StateWrite, ToWorker } from './worker-protocol.js';

type Answer = Extract<ToWorker, { type: 'state-written' | 'chain-written' }>;

/** A worker's requests to the main thread's storage, each answered by id (slot-worker.ts). */
export class MainThreadRequests {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();

  constructor(readonly post: (message: FromWorker) => void) {}

  /** Posts the message `request` makes with a new id; resolves with the main thread's answer, rejects with its error. */
  send(request: (id: number) => FromWorker): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post(request(id));
    });
  }

  answered(answer: Answer): void {
    const waiting = this.waiting.get(answer.id)!;
    this.waiting.delete(answer.id);
    if (answer.error !== undefined) waiting.reject(new Error(answer.error));
    else waiting.resolve(answer);
  }
}

/**
 * The job's checkpoint directory as a worker writes into it. The worker writes every file of its tasks' checkpoints
 * itself, the bases and deltas of incremental checkpoints included (FileCheckpointStorage's own writer, in this
 * thread); the main thread's storage alone counts the references of the shared files (retained checkpoints and
 * chains alike, over every slot and attempt), completes and discards checkpoints. So a chain write sends the main
 * thread the written files' handles (`record-chain`: names, sizes, sha256, key-group ranges) and the main thread
 * references them, renames them into place and answers what the checkpoint lists. `needsBase` answers from the
 * main thread's latest word on the owner's chain.
 */
export class WorkerFileStorage extends FileCheckpointStorage {
  private readonly baseDue = new Map<string, boolean>();

  constructor(
    root: string,
    backend: 'fs' | 'disk',
    private readonly requests: MainThreadRequests,
  ) {
    super(root, backend);
  }

  override needsBase(owner: string): boolean {
    return this.baseDue.get(owner) ?? true;
  }

  // Writes of one owner in checkpoint order (a task's writes of two checkpoints may overlap), so are their records.
  override writeBase(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<ChainWrite> {
    const pieces = this.basePieces(snapshot);
    return this.inChainOrder(owner, () =>
      this.recorded(owner, async () => ({ checkpointId, owner, files: await this.writeBaseFiles(checkpointId, owner, snapshot, pieces), after: undefined, maxParallelism: snapshot.maxParallelism })),
    );
  }

  override writeChanges(checkpointId: number, owner: string, delta: KeyedStateDelta, after: number): Promise<ChainWrite> {
    return this.inChainOrder(owner, () =>
      this.recorded(owner, async () => ({ checkpointId, owner, files: [await this.writeDeltaFile(checkpointId, owner, delta)], after, maxParallelism: delta.maxParallelism })),
    );
  }

  /** Writes with `write`, then has the main thread record what was written. */
  private async recorded(owner: string, write: () => Promise<ChainRecord>): Promise<ChainWrite> {
    try {
      const record = await write();
      const answer = (await this.requests.send((id) => ({ type: 'record-chain', id, ...record }))) as Extract<Answer, { type: 'chain-written' }>;
      this.baseDue.set(owner, answer.needsBase);
      return answer.result!;
    } catch (error) {
      // Not written, or the main thread dropped the chain: the next snapshot must be a base.
      this.baseDue.set(owner, true);
      throw error;
    }
  }

  /**
   * The main thread counts the references: this thread looks at the directory instead. An error other than "not
   * there" is thrown rather than read as "there", which would leave a checkpoint listing a file never written.
   */
  protected override async sharedPresent(name: string): Promise<boolean> {
    try {
      await this.fs.stat(path.join(this.root, SHARED_DIR, name));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** The main thread's storage gives back the references of the files (`files`), and removes the checkpoint's directory. */
  override discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    this.requests.post({ type: 'discard', checkpointId, files });
    return Promise.resolve();
  }
}

/**
 * Checkpoint storage that lives on the main thread (the `memory` backend's, or one a Node program injected): a
 * worker sends each keyed snapshot there as its canonical lines, and the main thread writes it (slot-worker.ts).
 */
export class MainThreadStorage implements CheckpointStorage {
  readonly backend = 'memory' as const;
  readonly description = 'the main thread';

  constructor(private readonly requests: MainThreadRequests) {}

  writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    return this.write({ what: 'keyed', checkpointId, name: owner, text: [...keyedStateLines(snapshot)].join('\n') }) as Promise<StateFile[]>;
  }

  writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile> {
    return this.write({ what: 'channel', checkpointId, name, text: [...lines].join('\n') }) as Promise<WrittenFile>;
  }

  writeRawState(checkpointId: number, name: string, bytes: Uint8Array): Promise<WrittenFile> {
    return this.write({ what: 'raw', checkpointId, name, bytes }) as Promise<WrittenFile>;
  }

  private async write(content: StateWrite): Promise<unknown> {
    const answer = await this.requests.send((id) => ({ type: 'write-state', id, ...content }));
    return (answer as Extract<Answer, { type: 'state-written' }>).result;
  }

  discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    this.requests.post({ type: 'discard', checkpointId, files });
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
