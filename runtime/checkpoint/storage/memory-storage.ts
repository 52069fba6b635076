import type { KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import { keyedStateLines } from '../../state/snapshot-format.js';
import type { CheckpointMetadata } from '../metadata/metadata-format.js';
import type { StateFile } from '../metadata/metadata-v1.js';
import type { CheckpointLocation, CheckpointStorage, RecoveredCheckpoints, StoredCheckpoint, SavepointRecord, WrittenFile } from './checkpoint-storage.js';
import { checkpointDirName } from './checkpoint-names.js';
import { sha256Of, writeLines } from './state-file-writer.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Checkpoints kept in this process (the `memory` backend): the same canonical state files and metadata as on
 * disk, held as buffers. Restarts inside a run restore from them; nothing survives the process. One instance
 * may be handed to several jobs in turn (tests), which then find each other's checkpoints.
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  readonly backend = 'memory' as const;
  readonly description = 'memory';
  private readonly files = new Map<number, Map<string, Buffer>>();
  private readonly completed = new Map<number, StoredCheckpoint>();
  private highestId = 0;
  private latestSavepoint: SavepointRecord | undefined;

  recover(): Promise<RecoveredCheckpoints> {
    const completed = [...this.completed.values()].sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
    const savepoint = this.latestSavepoint === undefined ? {} : { latestSavepoint: this.latestSavepoint };
    return Promise.resolve({ completed, damaged: [], highestId: this.highestId, problems: [], ...savepoint });
  }

  recordSavepoint(savepoint: SavepointRecord): Promise<void> {
    this.latestSavepoint = savepoint;
    return Promise.resolve();
  }

  async writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    const file = await this.writeFile(checkpointId, `${owner}.kstate`, keyedStateLines(snapshot));
    return [{ ...file, keyGroupRange: { start: snapshot.keyGroupRange.start, end: snapshot.keyGroupRange.end } }];
  }

  writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile> {
    return this.writeFile(checkpointId, name, lines);
  }

  writeRawState(checkpointId: number, name: string, bytes: Uint8Array): Promise<WrittenFile> {
    this.highestId = Math.max(this.highestId, checkpointId);
    this.filesOf(checkpointId).set(name, Buffer.from(bytes));
    return Promise.resolve({ path: name, bytes: bytes.length, sha256: sha256Of(bytes) });
  }

  private filesOf(checkpointId: number): Map<string, Buffer> {
    let files = this.files.get(checkpointId);
    if (files === undefined) this.files.set(checkpointId, (files = new Map()));
    return files;
  }

  private async writeFile(checkpointId: number, path: string, lines: Iterable<string>): Promise<WrittenFile> {
    this.highestId = Math.max(this.highestId, checkpointId);
    const pieces: Buffer[] = [];
    const content = await writeLines(lines, (piece) => {
      pieces.push(piece);
      return nextTurn();
    });
    this.filesOf(checkpointId).set(path, Buffer.concat(pieces));
    return { path, ...content };
  }

  complete(metadata: CheckpointMetadata): Promise<StoredCheckpoint> {
    const id = metadata.checkpointId;
    this.highestId = Math.max(this.highestId, id);
    const files = this.files.get(id) ?? new Map<string, Buffer>();
    this.files.set(id, files);
    const location: CheckpointLocation = {
      description: `memory:${checkpointDirName(id)}`,
      readFile: (path) => {
        const data = files.get(path);
        return data === undefined ? Promise.reject(new Error(`${path} is missing`)) : Promise.resolve(data);
      },
    };
    const stored = { metadata, location };
    this.completed.set(id, stored);
    return Promise.resolve(stored);
  }

  discard(checkpointId: number): Promise<void> {
    this.completed.delete(checkpointId);
    this.files.delete(checkpointId);
    return Promise.resolve();
  }
}
