import type { StateFile } from '../checkpoint/metadata/metadata-v4.js';
import type { CheckpointStorage, RecoveredCheckpoints, StoredCheckpoint, WrittenFile } from '../checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../checkpoint/storage/file-storage.js';
import type { ChainWrite, KeyedStateChains } from '../checkpoint/storage/keyed-state-chains.js';
import type { KeyedStateDelta, KeyedStateSnapshot } from '../state/keyed-state-backend.js';
import { keyedStateDeltaLines, keyedStateLines } from '../state/snapshot-format.js';
import type { FromWorker, StateWrite, ToWorker } from './worker-protocol.js';

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
 * The chains of incremental checkpoints (keyed-state-chains.ts) as a worker's tasks use them: kept by the main
 * thread's storage, which alone counts the references of the shared files (retained checkpoints and chains
 * alike, over every slot and attempt). A worker sends each base or delta as its canonical lines and the main thread
 * writes it into the chain. `needsBase` answers from the main thread's latest word on the owner's chain.
 */
export class MainThreadChains implements KeyedStateChains {
  private readonly baseDue = new Map<string, boolean>();

  constructor(private readonly requests: MainThreadRequests) {}

  needsBase(owner: string): boolean {
    return this.baseDue.get(owner) ?? true;
  }

  writeBase(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<ChainWrite> {
    return this.write(checkpointId, owner, keyedStateLines(snapshot), undefined);
  }

  writeChanges(checkpointId: number, owner: string, delta: KeyedStateDelta, after: number): Promise<ChainWrite> {
    return this.write(checkpointId, owner, keyedStateDeltaLines(delta), after);
  }

  private async write(checkpointId: number, owner: string, lines: Iterable<string>, after: number | undefined): Promise<ChainWrite> {
    const text = [...lines].join('\n');
    try {
      const answer = (await this.requests.send((id) => ({ type: 'write-chain', id, checkpointId, owner, text, after }))) as Extract<Answer, { type: 'chain-written' }>;
      this.baseDue.set(owner, answer.needsBase);
      return answer.result!;
    } catch (error) {
      // The main thread dropped the chain: the next snapshot must be a base.
      this.baseDue.set(owner, true);
      throw error;
    }
  }
}

/**
 * The job's checkpoint directory as a worker writes into it: state files only (the main thread's storage completes
 * and discards checkpoints), the keyed state of checkpoints through the main thread's chains (`chains`).
 */
export class WorkerFileStorage extends FileCheckpointStorage {
  constructor(
    root: string,
    backend: 'fs' | 'disk',
    private readonly mainThreadChains: KeyedStateChains,
  ) {
    super(root, backend);
  }

  override get chains(): KeyedStateChains | undefined {
    return this.mainThreadChains;
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
