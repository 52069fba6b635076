import { randomUUID } from 'node:crypto';
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

  /** One more reference to a file already referenced (a newer checkpoint listing it again): no I/O. */
  retain(name: string): void {
    const count = this.refs.get(name);
    if (count === undefined) throw new Error(`shared file ${name} is retained but not referenced`);
    this.refs.set(name, count + 1);
  }

  isReferenced(name: string): boolean {
    return this.refs.has(name);
  }

  /**
   * References the shared file `name`, first writing it with `write(tempFile)` (complete and synced) when no
   * retained checkpoint has it: equal content is written once.
   */
  add(name: string, write: (tempFile: string) => Promise<void>): Promise<void> {
    return this.locked(name, async () => {
      const count = this.refs.get(name) ?? 0;
      if (count === 0) {
        const temp = path.join(this.dir, this.tempName(name));
        try {
          await write(temp);
          await this.fs.rename(temp, path.join(this.dir, name));
        } catch (error) {
          await this.fs.rm(temp, { force: true });
          throw error;
        }
      }
      this.refs.set(name, count + 1);
    });
  }

  /** A new temporary name in this directory for a file to be placed as `name` (recovery removes it if left). */
  tempName(name: string): string {
    return `.${name}.${randomUUID().slice(0, 8)}.tmp`;
  }

  /**
   * References the shared file `name` that another writer (a worker thread) left complete and synced as `temp` in
   * this directory: renamed into place when no retained checkpoint has it, else removed (equal content is kept
   * once). With `temp` undefined the writer found `name` present and wrote nothing: it must still be referenced.
   */
  place(name: string, temp: string | undefined): Promise<void> {
    return this.locked(name, async () => {
      const count = this.refs.get(name) ?? 0;
      if (temp === undefined) {
        if (count === 0) throw new Error(`the shared file ${name} was deleted (no retained checkpoint listed it any more) while this checkpoint was written; the next checkpoint writes it anew`);
      } else {
        const from = path.join(this.dir, temp);
        try {
          if (count === 0) await this.fs.rename(from, path.join(this.dir, name));
          else await this.fs.rm(from, { force: true });
        } catch (error) {
          await this.fs.rm(from, { force: true });
          throw error;
        }
      }
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
