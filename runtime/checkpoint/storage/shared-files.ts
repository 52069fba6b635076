import path from 'node:path';
import type { CheckpointFileSystem } from './file-system.js';

/**
 * The reference-counted files incremental checkpoints share, named by their sha256 so that equal content is one
 * file. A checkpoint takes a reference for every shared file it lists (written anew or found present) and gives
 * them back when it is discarded; a file is deleted when its count drops to zero, never while referenced.
 * Operations on one name are serialized, so a deletion cannot race a new checkpoint adding the same content.
 */
export class SharedFiles {
  private readonly refs = new Map<string, number>();
  private readonly locks = new Map<string, Promise<void>>();

  constructor(
    private readonly fs: CheckpointFileSystem,
    readonly dir: string,
  ) {}

  /** Counts a reference of a retained checkpoint found at start. */
  adopt(name: string): void {
    this.refs.set(name, (this.refs.get(name) ?? 0) + 1);
  }

  isReferenced(name: string): boolean {
    return this.refs.has(name);
  }

  /** Makes `tempFile` (complete and synced) the shared file `name` unless it exists already, and references it. */
  add(tempFile: string, name: string): Promise<void> {
    return this.locked(name, async () => {
      const count = this.refs.get(name) ?? 0;
      if (count > 0) await this.fs.rm(tempFile, { force: true });
      else await this.fs.rename(tempFile, path.join(this.dir, name));
      this.refs.set(name, count + 1);
    });
  }

  release(name: string): Promise<void> {
    return this.locked(name, async () => {
      const count = (this.refs.get(name) ?? 0) - 1;
      if (count > 0) {
        this.refs.set(name, count);
        return;
      }
      this.refs.delete(name);
      await this.fs.rm(path.join(this.dir, name), { force: true });
    });
  }

  private locked(name: string, work: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.then(work);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }
}
