import type { KeyedStateDelta, KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import type { StateFile } from '../metadata/metadata-v4.js';

/** What one write of a chain lists in `_metadata` for its subtask, and how many bytes it actually wrote. */
export interface ChainWrite {
  /** Base file(s) first, then the deltas in order (metadata-v4.ts). */
  readonly files: StateFile[];
  /** Bytes written by this checkpoint (files it only references again cost nothing). */
  readonly writtenBytes: number;
  /** What went wrong in the background since the last write (a failed merge), to report with this checkpoint. */
  readonly problems: readonly string[];
}

/**
 * Incremental checkpoints (docs/checkpoints.md): each operator subtask (`owner`) keeps a chain in the pipeline's
 * `shared/` directory — a base (a full snapshot) and the deltas taken after it — and every checkpoint lists the
 * whole chain as it stood then. Writes of one owner run in checkpoint order; each file is reference counted by the
 * chain and by every retained checkpoint listing it, so retention never deletes a file a newer checkpoint needs.
 */
export interface KeyedStateChains {
  /** Whether `owner`'s next snapshot should be a base: no chain (first, or a write failed), or it has grown long. */
  needsBase(owner: string): boolean;
  /** Writes a full snapshot as the new base of `owner`'s chain; the old chain's files go once nothing lists them. */
  writeBase(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<ChainWrite>;
  /**
   * Appends a delta to `owner`'s chain. `after` is the checkpoint whose base or delta the backend took just before
   * this one: when it is not the chain's last (its write failed or never happened), the delta would miss changes,
   * so this rejects and the chain is dropped (the next snapshot must be a base).
   */
  writeChanges(checkpointId: number, owner: string, delta: KeyedStateDelta, after: number): Promise<ChainWrite>;
  /**
   * `writeBase` for files another thread wrote (a worker's, worker-storage.ts): references them, putting in place
   * what was written anew, and makes them `owner`'s new chain. Rejects (removing what was written) as `writeBase` does.
   */
  recordBase(checkpointId: number, owner: string, written: readonly WrittenStateFile[], maxParallelism: number): Promise<ChainWrite>;
  /** `writeChanges` for a delta file another thread wrote: rejects, removing it, when it does not follow the chain's last. */
  recordChanges(checkpointId: number, owner: string, written: WrittenStateFile, after: number): Promise<ChainWrite>;
}

/**
 * A state file a chain write produced, not yet referenced: `file` as `_metadata` lists it, and `temp`, the name in
 * `shared/` under which the writer left it complete and synced, for the storage that counts references to rename
 * into place (undefined: the writer found the content-named file present and wrote nothing). It is what a worker
 * thread sends the main thread instead of the state itself.
 */
export interface WrittenStateFile {
  readonly file: StateFile;
  readonly temp: string | undefined;
}
