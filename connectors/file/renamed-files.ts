import { stat } from 'node:fs/promises';
import { identityOf } from './file-identity.js';
import type { FileSplit } from './splits.js';

/**
 * Notices a file that a continuous source lists under a new name with the identity of a file it listed before
 * under another: a log rotated by renaming it inside the watched directory. It is read as a new file (its rows
 * again), which the reader of its split warns about (`renamedFrom`). Not skipped: the identity alone cannot tell
 * a renamed file from a new one that was given the inode of a removed one. Files renamed while the job was down
 * are not noticed.
 */
export class RenamedFiles {
  /** Path a file was last listed under, by identity. */
  private readonly pathOf = new Map<string, string>();

  async note(fresh: readonly FileSplit[]): Promise<FileSplit[]> {
    return Promise.all(
      fresh.map(async (split) => {
        let key: string;
        try {
          const { dev, ino } = identityOf(await stat(split.path, { bigint: true }));
          key = `${dev}:${ino}`;
        } catch {
          return split; // gone already: its reader finds out
        }
        const before = this.pathOf.get(key);
        this.pathOf.set(key, split.path);
        return before === undefined || before === split.path ? split : { ...split, renamedFrom: before };
      }),
    );
  }
}
