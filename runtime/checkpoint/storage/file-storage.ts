import path from 'node:path';
import * as z from 'zod';
import type { KeyGroupRange } from '../../state/key-groups.js';
import type { KeyedStateDelta, KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import { keyedStateLines } from '../../state/snapshot-format.js';
import { binaryKeyedState, binaryKeyedStateDelta, binaryKeyedStateOf } from '../../state/snapshot-binary.js';
import type { CheckpointMetadata } from '../metadata/metadata-format.js';
import type { StateFile } from '../metadata/metadata-v4.js';
import {
  filesOf,
  type CheckpointLocation,
  type CheckpointStorage,
  type DamagedCheckpoint,
  type RecoveredCheckpoints,
  type SavepointRecord,
  type StoredCheckpoint,
  type WrittenFile,
} from './checkpoint-storage.js';
import { checkpointDirName, COMPLETED_MARKER, METADATA_FILE, parseCheckpointDirName, SHARED_DIR } from './checkpoint-names.js';
import { isNotFound, nodeFileSystem, syncDirectory, writeDurably, writeFileAtomically, type CheckpointFileSystem } from './file-system.js';
import type { ChainWrite, KeyedStateChains, WrittenStateFile } from './keyed-state-chains.js';
import { SharedFiles } from './shared-files.js';
import { chunkRanges, entriesByRange } from './state-chunks.js';
import { encodeAhead, linePieces, sha256Of, writePieces, writePiecesDurably, type WrittenContent } from './state-file-writer.js';
import { defaultMerger, type ChainMerger } from './chain-mergers.js';

/**
 * The metadata's reader and writer, with the zod schemas of every metadata version (the job graph's among them), load
 * when this storage first recovers or completes a checkpoint, which only the main thread does: a worker thread,
 * which writes its tasks' state files through this class, then does not build those schemas at start
 * (bench/README.md, `--scaling`).
 */
const metadataFormat = () => import('../metadata/metadata-format.js');
const metadataReader = () => import('./read-metadata.js');

/** How many files the `disk` backend splits one subtask's keyed state into (by key-group range). */
const INCREMENTAL_CHUNKS = 8;
const SHARED_PREFIX = `../${SHARED_DIR}/`;
/**
 * When a chain is merged into a new base (chain-merge.ts, in a worker thread): once its deltas hold half as many
 * bytes as its base, so that restore reads at most about 1.5 times a full snapshot, and a merge (which reads and
 * writes the whole base) comes after deltas worth half of it, whatever the base's size: a base of 3 M keys merges
 * a third as often as after a fixed count of deltas would have it. Small deltas are merged after this many, so
 * that restore opens few files. Measured with bench/key-scaling.ts (bench/README.md, part 5).
 */
const MERGE_AFTER_DELTAS = 50;
const MERGE_AT_BASE_FRACTION = 0.5;
/** A chain whose merges fall this far behind gets a new base from the task: restore reads every delta. */
const MAX_DELTAS = 2 * MERGE_AFTER_DELTAS;

/** One owner's chain (keyed-state-chains.ts). Each file in `files` holds one reference of the chain's own. */
interface Chain {
  /** As a later checkpoint lists them: in `shared/`, base file(s) first, then the deltas in order. */
  files: StateFile[];
  readonly maxParallelism: number;
  baseBytes: number;
  deltaBytes: number;
  deltas: number;
  /** The checkpoint whose base or delta is the chain's last. */
  lastId: number;
  /** The merge running on this chain, if any: aborted when the chain is dropped. */
  merge: AbortController | undefined;
  /** Why a merge failed (a damaged or unreadable file, a full disk): the task's next snapshot is a new base. */
  mergeFailure: string | undefined;
  /** `mergeFailure` was handed to the task with a write (it reports it with that checkpoint's statistics). */
  mergeFailureReported: boolean;
}

/** Reads the files of a checkpoint or savepoint directory, by the relative paths of its `_metadata`. */
export function directoryLocation(dir: string, fs: CheckpointFileSystem = nodeFileSystem): CheckpointLocation {
  return { description: dir, readFile: (relativePath) => fs.readFile(path.resolve(dir, relativePath)) };
}

/**
 * Checkpoints as files under one pipeline's directory (`fs` and `disk` backends), incrementally (`chains`, see
 * keyed-state-chains.ts and docs/checkpoints.md). A file a checkpoint writes itself — an `fs` base, any delta — is
 * `chk-<n>/<owner>.kstate`, hard-linked into `shared/` as `<owner>.chk-<n>.kstate` where later checkpoints
 * reference it: damage to it shows in the checkpoint that wrote it, and deleting that checkpoint's directory leaves
 * the shared link for the newer ones. A `disk` base is split by key-group range into files named by their sha256
 * in `shared/`, so a part unchanged since an earlier retained checkpoint is referenced again, not copied. Shared
 * files are reference counted (shared-files.ts). `writeKeyedState` (savepoints, tests) writes one complete file.
 */
/** Next to the checkpoints: the pipeline's newest savepoint, so that `--resume` never goes back before it. */
export const LATEST_SAVEPOINT_FILE = '_latest-savepoint.json';
const SavepointRecordSchema = z.object({ checkpointId: z.number().int().min(1), path: z.string().min(1) });

export class FileCheckpointStorage implements CheckpointStorage, KeyedStateChains {
  readonly description: string;
  private readonly shared: SharedFiles;
  private readonly chainOf = new Map<string, Chain>();
  /** Per owner, the end of its last queued chain write: writes of one owner run one at a time, in order. */
  private readonly chainQueue = new Map<string, Promise<unknown>>();
  /** The chain merges running (those of dropped chains too, until they have stopped). */
  private readonly merges = new Set<Promise<void>>();

  constructor(
    /** The pipeline's checkpoint directory: `<state.checkpoints.dir>/<pipeline dir>`. */
    readonly root: string,
    readonly backend: 'fs' | 'disk',
    protected readonly fs: CheckpointFileSystem = nodeFileSystem,
    /** Where chain merges run (chain-mergers.ts): large ones in a worker thread. */
    private readonly merger: ChainMerger = defaultMerger(fs),
  ) {
    this.description = root;
    this.shared = new SharedFiles(fs, path.join(root, SHARED_DIR));
  }

  get chains(): KeyedStateChains | undefined {
    return this;
  }

  protected checkpointDir(checkpointId: number): string {
    return path.join(this.root, checkpointDirName(checkpointId));
  }

  async recover(): Promise<RecoveredCheckpoints> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.root);
    } catch (error) {
      if (isNotFound(error)) return { completed: [], damaged: [], highestId: 0, problems: [] };
      throw error;
    }
    const { readSnapshotDirectory } = await metadataReader();
    const completed: StoredCheckpoint[] = [];
    const damaged: DamagedCheckpoint[] = [];
    const problems: string[] = [];
    let highestId = 0;
    for (const name of names) {
      const id = parseCheckpointDirName(name);
      if (id === undefined) continue;
      highestId = Math.max(highestId, id);
      const dir = this.checkpointDir(id);
      const read = await readSnapshotDirectory(this.fs, dir);
      // Never completed (the process stopped before its metadata was written): nothing can use it.
      if (read.kind === 'incomplete') await this.fs.rm(dir, { recursive: true, force: true });
      else if (read.kind === 'damaged') damaged.push({ checkpointId: id, location: dir, reason: read.reason });
      else completed.push({ metadata: read.metadata, location: directoryLocation(dir, this.fs) });
    }
    completed.sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
    damaged.sort((a, b) => a.checkpointId - b.checkpointId);
    for (const checkpoint of completed) for (const name of sharedNames(filesOf(checkpoint.metadata))) this.shared.adopt(name);
    // Unreadable metadata may reference shared files: only clean up when every checkpoint could be read.
    if (damaged.length === 0) await this.removeOrphans();
    const latestSavepoint = await readSavepointRecord(this.fs, this.root, problems);
    return { completed, damaged, highestId, problems, ...(latestSavepoint === undefined ? {} : { latestSavepoint }) };
  }

  async recordSavepoint(savepoint: SavepointRecord): Promise<void> {
    await this.fs.mkdir(this.root, { recursive: true });
    await writeFileAtomically(this.fs, path.join(this.root, LATEST_SAVEPOINT_FILE), `${JSON.stringify(savepoint)}\n`);
  }

  private async removeOrphans(): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.shared.dir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const orphans = names.filter((name) => !this.shared.isReferenced(name));
    await Promise.all(orphans.map((name) => this.fs.rm(path.join(this.shared.dir, name), { force: true })));
  }

  /**
   * How keyed state is encoded: binary for checkpoints (state/snapshot-binary.ts: metadata version 7), JSON lines
   * for savepoints (savepoint-storage.ts), which must stay readable by eye and by any version.
   */
  protected get binaryKeyedState(): boolean {
    return true;
  }

  async writeKeyedState(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    if (this.backend === 'fs') {
      const dir = this.checkpointDir(checkpointId);
      await this.fs.mkdir(dir, { recursive: true });
      const name = `${owner}.kstate`;
      const pieces = this.binaryKeyedState ? releasedWhenEncoded(binaryKeyedState(snapshot), snapshot) : linePieces(keyedStateLines(snapshot));
      const content = await writePiecesDurably(this.fs, path.join(dir, name), pieces);
      return [{ path: name, ...content, keyGroupRange: copyRange(snapshot.keyGroupRange) }];
    }
    return this.writeChunks(snapshot);
  }

  async writeChannelState(checkpointId: number, name: string, lines: Iterable<string>): Promise<WrittenFile> {
    const dir = this.checkpointDir(checkpointId);
    await this.fs.mkdir(dir, { recursive: true });
    return { path: name, ...(await writePiecesDurably(this.fs, path.join(dir, name), linePieces(lines))) };
  }

  async writeRawState(checkpointId: number, name: string, bytes: Uint8Array): Promise<WrittenFile> {
    const dir = this.checkpointDir(checkpointId);
    await this.fs.mkdir(dir, { recursive: true });
    await writeDurably(this.fs, path.join(dir, name), async (handle) => {
      await handle.write(bytes);
    });
    return { path: name, bytes: bytes.length, sha256: sha256Of(bytes) };
  }

  /** A subtask's state split by key-group range into content-named files in `shared/` (the `disk` layout). */
  private async writeChunks(snapshot: KeyedStateSnapshot): Promise<StateFile[]> {
    return this.place(await this.writeChunkFiles(snapshot));
  }

  /** The files of `writeChunks`, written but not yet referenced: what `shared/` already holds is not written again. */
  private async writeChunkFiles(snapshot: KeyedStateSnapshot): Promise<WrittenStateFile[]> {
    await this.fs.mkdir(this.shared.dir, { recursive: true });
    const files: WrittenStateFile[] = [];
    try {
      for (const part of entriesByRange(snapshot.entries(), chunkRanges(snapshot.keyGroupRange, INCREMENTAL_CHUNKS))) {
        // One part in memory at a time: hashed first, so unchanged content costs no I/O at all.
        const pieces: Buffer[] = [];
        let entries = 0;
        const counted = counting(part.entries, () => entries++);
        const content = await writePieces(binaryKeyedStateOf(snapshot.maxParallelism, part.range, snapshot.layouts, counted), (piece) => {
          // A copy: the encoder reuses its buffer for the next piece.
          pieces.push(Buffer.from(piece));
          return nextTurn();
        });
        // Empty parts are left out, but one file always lists the states (their layouts) of the subtask.
        if (entries === 0 && (files.length > 0 || part.range.end < snapshot.keyGroupRange.end)) continue;
        const name = `${content.sha256}.kstate`;
        const temp = (await this.sharedPresent(name))
          ? undefined
          : await this.writeTemp(name, (file) =>
              writeDurably(this.fs, file, async (handle) => {
                for (const piece of pieces) await handle.write(piece);
              }),
            );
        files.push({ file: { path: SHARED_PREFIX + name, ...content, keyGroupRange: copyRange(part.range) }, temp });
      }
    } catch (error) {
      await this.removeTemps(files);
      throw error;
    }
    return files;
  }

  /**
   * Whether content-named `name` is in `shared/`, so that a writer need not write it: this storage knows from its
   * references; a worker's (worker-storage.ts), whose references the main thread counts, looks at the directory.
   */
  protected sharedPresent(name: string): Promise<boolean> {
    return Promise.resolve(this.shared.isReferenced(name));
  }

  /** Has `write` fill a new temporary file in `shared/` to be placed as `name`; its temporary name. */
  private async writeTemp(name: string, write: (file: string) => Promise<unknown>): Promise<string> {
    const temp = this.shared.tempName(name);
    const file = path.join(this.shared.dir, temp);
    try {
      await write(file);
    } catch (error) {
      await this.fs.rm(file, { force: true });
      throw error;
    }
    return temp;
  }

  private async removeTemps(written: readonly WrittenStateFile[]): Promise<void> {
    await Promise.all(written.flatMap(({ temp }) => (temp === undefined ? [] : [this.fs.rm(path.join(this.shared.dir, temp), { force: true })])));
  }

  /**
   * References each written file (one reference each: the checkpoint's that lists it), renaming into place what
   * was written anew; on failure, none stays referenced and no temporary file is left.
   */
  private async place(written: readonly WrittenStateFile[]): Promise<StateFile[]> {
    const placed: string[] = [];
    try {
      for (const { file, temp } of written) {
        const name = sharedNames([file])[0]!;
        await this.shared.place(name, temp);
        placed.push(name);
      }
    } catch (error) {
      await Promise.all(placed.map((name) => this.shared.release(name)));
      await this.removeTemps(written.slice(placed.length));
      throw error;
    }
    await syncDirectory(this.fs, this.shared.dir);
    return written.map(({ file }) => file);
  }

  // ---- KeyedStateChains ----

  needsBase(owner: string): boolean {
    const chain = this.chainOf.get(owner);
    return chain === undefined || chain.mergeFailure !== undefined || chain.deltas >= MAX_DELTAS;
  }

  /** Resolves when no chain merge is running (tests; a merge left unfinished at exit leaves only a temporary file). */
  async mergesSettled(): Promise<void> {
    while (this.merges.size > 0) await Promise.all(this.merges);
  }

  /**
   * Stops the chain merges in flight (the job ended: no later checkpoint would list their bases) and resolves once
   * they have: their temporary files are removed and the chains stay as they were, so nothing half-written is
   * ever visible under a shared name.
   */
  async abandonMerges(): Promise<void> {
    for (const chain of this.chainOf.values()) chain.merge?.abort();
    await this.mergesSettled();
  }

  writeBase(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot): Promise<ChainWrite> {
    const pieces = this.basePieces(snapshot);
    return this.inChainOrder(owner, async () => {
      let written: WrittenStateFile[];
      try {
        written = await this.writeBaseFiles(checkpointId, owner, snapshot, pieces);
      } catch (error) {
        // The backend's changes now count from this snapshot: the old chain is of no more use.
        await this.dropChain(owner);
        throw error;
      }
      return this.newChain(checkpointId, owner, written, snapshot.maxParallelism);
    });
  }

  recordBase(checkpointId: number, owner: string, written: readonly WrittenStateFile[], maxParallelism: number): Promise<ChainWrite> {
    return this.inChainOrder(owner, () => this.newChain(checkpointId, owner, written, maxParallelism));
  }

  /**
   * The pieces of a heap base's file, the first encoded now (`encodeAhead`: called in the turn that took the
   * snapshot, before any wait, so that copy-on-write copies little); none on `disk`, whose bases are chunk files
   * read from a store transaction, which copies nothing.
   */
  protected basePieces(snapshot: KeyedStateSnapshot): Iterable<Buffer> | undefined {
    return this.backend === 'disk' ? undefined : encodeAhead(releasedWhenEncoded(binaryKeyedState(snapshot), snapshot));
  }

  /**
   * Writes the files of a base of `owner`'s chain (`recordBase` references them): `writeBase`'s I/O, in any thread.
   * `pieces`: the file's `basePieces`, when taken earlier.
   */
  writeBaseFiles(checkpointId: number, owner: string, snapshot: KeyedStateSnapshot, pieces = this.basePieces(snapshot)): Promise<WrittenStateFile[]> {
    if (pieces === undefined) return this.writeChunkFiles(snapshot);
    return this.writeOwnFile(checkpointId, owner, pieces, snapshot.keyGroupRange, false).then((file) => [file]);
  }

  /** Writes the file of a delta of `owner`'s chain (`recordChanges` references it): `writeChanges`'s I/O, in any thread. */
  writeDeltaFile(checkpointId: number, owner: string, delta: KeyedStateDelta): Promise<WrittenStateFile> {
    return this.writeOwnFile(checkpointId, owner, releasedWhenEncoded(binaryKeyedStateDelta(delta), delta), delta.keyGroupRange, true);
  }

  /** Makes the written base `owner`'s chain; whatever happens, the old chain is done. */
  private async newChain(checkpointId: number, owner: string, written: readonly WrittenStateFile[], maxParallelism: number): Promise<ChainWrite> {
    const problems = this.unreportedProblems(owner);
    let files: StateFile[];
    try {
      // Placed before the old chain is dropped: a part of the base it shares keeps its references throughout.
      files = await this.place(written);
    } finally {
      await this.dropChain(owner);
    }
    const chainFiles = files.map(asShared);
    for (const file of chainFiles) this.shared.retain(file.shared!);
    const baseBytes = files.reduce((sum, file) => sum + file.bytes, 0);
    this.chainOf.set(owner, {
      files: chainFiles,
      maxParallelism,
      baseBytes,
      deltaBytes: 0,
      deltas: 0,
      lastId: checkpointId,
      merge: undefined,
      mergeFailure: undefined,
      mergeFailureReported: false,
    });
    return { files, writtenBytes: baseBytes, problems };
  }

  writeChanges(checkpointId: number, owner: string, delta: KeyedStateDelta, after: number): Promise<ChainWrite> {
    return this.inChainOrder(owner, async () => {
      // Checked first, so that a delta the chain refuses is not written at all.
      const chain = await this.chainBefore(checkpointId, owner, after);
      let written: WrittenStateFile;
      try {
        written = await this.writeDeltaFile(checkpointId, owner, delta);
      } catch (error) {
        await this.dropChain(owner);
        throw error;
      }
      return this.append(checkpointId, owner, chain, written);
    });
  }

  recordChanges(checkpointId: number, owner: string, written: WrittenStateFile, after: number): Promise<ChainWrite> {
    return this.inChainOrder(owner, async () => {
      let chain: Chain;
      try {
        chain = await this.chainBefore(checkpointId, owner, after);
      } catch (error) {
        await this.removeTemps([written]);
        throw error;
      }
      return this.append(checkpointId, owner, chain, written);
    });
  }

  /** `owner`'s chain when checkpoint `after` wrote its last file; else it is dropped and this rejects. */
  private async chainBefore(checkpointId: number, owner: string, after: number): Promise<Chain> {
    const chain = this.chainOf.get(owner);
    if (chain !== undefined && chain.lastId === after) return chain;
    await this.dropChain(owner);
    throw new Error(`the state changes of ${owner} before checkpoint ${checkpointId} were not written (checkpoint ${after}); the next checkpoint writes it in full`);
  }

  /** Appends the written delta to `owner`'s chain. */
  private async append(checkpointId: number, owner: string, chain: Chain, written: WrittenStateFile): Promise<ChainWrite> {
    let own: StateFile;
    try {
      [own] = (await this.place([written])) as [StateFile];
    } catch (error) {
      await this.dropChain(owner);
      throw error;
    }
    // This checkpoint lists (and references) the whole chain; the chain references its new delta.
    for (const file of chain.files) this.shared.retain(file.shared!);
    const files = [...chain.files, own];
    const shared = asShared(own);
    this.shared.retain(shared.shared!);
    chain.files.push(shared);
    chain.deltas++;
    chain.deltaBytes += own.bytes;
    chain.lastId = checkpointId;
    if (chain.merge === undefined && isLong(chain)) {
      const merge = new AbortController();
      chain.merge = merge;
      const done = this.merge(owner, chain, merge.signal);
      this.merges.add(done);
      void done.then(() => this.merges.delete(done));
    }
    return { files, writtenBytes: own.bytes, problems: this.unreportedProblems(owner) };
  }

  /**
   * Merges the chain as it is now into a new base file in `shared/` while the task goes on (`merger`: in a worker
   * thread), then makes it the chain's base in place of the files it merged; deltas appended meanwhile stay on top
   * of it. The merge holds a reference to each input until it ends, so retention cannot delete one under it;
   * checkpoints already taken keep listing (and referencing) the old files. When the merge fails (a damaged input,
   * a full disk), the task's next snapshot is a base, as after a failed delta; when it is aborted (its chain was
   * dropped, the job ended), nothing changes. Never rejects.
   */
  private async merge(owner: string, chain: Chain, signal: AbortSignal): Promise<void> {
    const inputs = [...chain.files];
    for (const file of inputs) this.shared.retain(file.shared!);
    const range = rangeOf(inputs);
    const name = `${owner}.${checkpointDirName(chain.lastId)}.merged.kstate`;
    try {
      const input = (file: StateFile) => ({ file: path.join(this.shared.dir, file.shared!), expected: file });
      const bases = inputs.filter((file) => file.delta !== true).map(input);
      const deltas = inputs.filter((file) => file.delta === true).map(input);
      let content: WrittenContent | undefined;
      await this.shared.add(name, async (temp) => {
        content = await this.merger({ bases, deltas, maxParallelism: chain.maxParallelism, range, output: temp }, signal);
      });
      await syncDirectory(this.fs, this.shared.dir);
      if (this.chainOf.get(owner) !== chain || content === undefined) {
        // The chain was renewed meanwhile (or the file was already there, from a checkpoint of this same merge).
        await this.shared.release(name);
        return;
      }
      const merged: StateFile = { path: SHARED_PREFIX + name, ...content, keyGroupRange: copyRange(range), shared: name };
      const rest = chain.files.slice(inputs.length);
      const replaced = chain.files.slice(0, inputs.length);
      chain.files = [merged, ...rest];
      chain.baseBytes = content.bytes;
      chain.deltas = rest.length;
      chain.deltaBytes = rest.reduce((sum, file) => sum + file.bytes, 0);
      await Promise.all(replaced.map((file) => this.shared.release(file.shared!)));
    } catch (error) {
      if (signal.aborted) return;
      chain.mergeFailure = `merging the checkpoint chain of ${owner} into a new base failed: ${(error as Error).message}; its next checkpoint writes a full base`;
    } finally {
      chain.merge = undefined;
      await Promise.all(inputs.map((file) => this.shared.release(file.shared!)));
    }
  }

  /** A merge failure of `owner`'s chain not yet handed to the task, at most once. */
  private unreportedProblems(owner: string): string[] {
    const chain = this.chainOf.get(owner);
    if (chain?.mergeFailure === undefined || chain.mergeFailureReported) return [];
    chain.mergeFailureReported = true;
    return [chain.mergeFailure];
  }

  /** Runs `work` after every chain write of `owner` queued before it. */
  protected inChainOrder<T>(owner: string, work: () => Promise<T>): Promise<T> {
    const run = (this.chainQueue.get(owner) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    this.chainQueue.set(owner, settled);
    void settled.then(() => {
      if (this.chainQueue.get(owner) === settled) this.chainQueue.delete(owner);
    });
    return run;
  }

  private async dropChain(owner: string): Promise<void> {
    const chain = this.chainOf.get(owner);
    if (chain === undefined) return;
    this.chainOf.delete(owner);
    chain.merge?.abort();
    await Promise.all(chain.files.map((file) => this.shared.release(file.shared!)));
  }

  /**
   * Writes `chk-<n>/<owner>.kstate` and links it into `shared/` under a temporary name, to be placed as
   * `<owner>.chk-<n>.kstate`. Checkpoint ids are never reused in a pipeline directory, so the shared name is new.
   */
  private async writeOwnFile(checkpointId: number, owner: string, pieces: Iterable<Buffer>, range: KeyGroupRange, delta: boolean): Promise<WrittenStateFile> {
    const dir = this.checkpointDir(checkpointId);
    await this.fs.mkdir(dir, { recursive: true });
    await this.fs.mkdir(this.shared.dir, { recursive: true });
    const name = `${owner}.kstate`;
    const file = path.join(dir, name);
    const content = await writePiecesDurably(this.fs, file, pieces);
    const shared = `${owner}.${checkpointDirName(checkpointId)}.kstate`;
    const temp = await this.writeTemp(shared, (link) => this.fs.link(file, link));
    return { file: { path: name, ...content, keyGroupRange: copyRange(range), shared, ...(delta ? { delta: true as const } : {}) }, temp };
  }


  async complete(metadata: CheckpointMetadata): Promise<StoredCheckpoint> {
    const { serializeMetadata } = await metadataFormat();
    const dir = this.checkpointDir(metadata.checkpointId);
    await this.fs.mkdir(dir, { recursive: true });
    await writeFileAtomically(this.fs, path.join(dir, METADATA_FILE), serializeMetadata(metadata));
    await (await this.fs.open(path.join(dir, COMPLETED_MARKER), 'w')).close();
    await syncDirectory(this.fs, dir);
    return { metadata, location: directoryLocation(dir, this.fs) };
  }

  async discard(checkpointId: number, files: readonly StateFile[]): Promise<void> {
    const dir = this.checkpointDir(checkpointId);
    // Marker, then metadata: a crash midway leaves what reads as incomplete (removed silently), never as damaged.
    await this.fs.rm(path.join(dir, COMPLETED_MARKER), { force: true });
    await this.fs.rm(path.join(dir, METADATA_FILE), { force: true });
    await this.fs.rm(dir, { recursive: true, force: true });
    await Promise.all(sharedNames(files).map((name) => this.shared.release(name)));
  }
}

/** The pipeline's newest savepoint as recorded in its checkpoint directory `root`; what is wrong with the record goes to `problems`. */
export async function readSavepointRecord(fs: CheckpointFileSystem, root: string, problems: string[]): Promise<SavepointRecord | undefined> {
  const file = path.join(root, LATEST_SAVEPOINT_FILE);
  let text: string;
  try {
    text = (await fs.readFile(file)).toString('utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = SavepointRecordSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  problems.push(`${file} is not a savepoint record ({"checkpointId", "path"}): it is ignored`);
  return undefined;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `pieces` of a frozen view's file, the view released once they are all encoded: on the heap, writes copy what an
 * open view shares (copy-on-write), and the file's fsync and link need the view no longer. Its owner releases it
 * again when the write ends (release is idempotent).
 */
function* releasedWhenEncoded(pieces: Iterable<Buffer>, view: { release(): void }): Generator<Buffer> {
  yield* pieces;
  view.release();
}

function* counting<T>(items: Iterable<T>, onItem: () => void): Generator<T> {
  for (const item of items) {
    onItem();
    yield item;
  }
}

/** The `shared/` names of the files: named by `shared`, or (a `disk` chunk, version 3) by a path into `shared/`. */
function sharedNames(files: readonly StateFile[]): string[] {
  const names: string[] = [];
  for (const file of files) {
    if (file.shared !== undefined) names.push(file.shared);
    else if (file.path.startsWith(SHARED_PREFIX)) names.push(file.path.slice(SHARED_PREFIX.length));
  }
  return names;
}

/** A file as a later checkpoint lists it: by its path in `shared/`. */
function asShared(file: StateFile): StateFile {
  const shared = sharedNames([file])[0]!;
  return { ...file, path: SHARED_PREFIX + shared, shared };
}

function copyRange(range: { readonly start: number; readonly end: number }): { start: number; end: number } {
  return { start: range.start, end: range.end };
}

/** Long enough for a new base (MERGE_AT_BASE_FRACTION). */
function isLong(chain: Chain): boolean {
  return chain.deltas >= MERGE_AFTER_DELTAS || chain.deltaBytes >= chain.baseBytes * MERGE_AT_BASE_FRACTION;
}

/** The key-group range a chain's files cover together (a `disk` base is split into several). */
function rangeOf(files: readonly StateFile[]): { start: number; end: number } {
  const ranges = files.map((file) => file.keyGroupRange);
  return { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) };
}
