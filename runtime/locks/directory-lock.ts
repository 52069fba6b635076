import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { readLockOwner, removeLockOwner, writeLockOwner, type LockOwner } from './lock-owner.js';
import { platformLockStrategy, tryLock, type LockStrategy } from './process-lock.js';

/** A directory this process holds the lock of (process-lock.ts), named in its `.sluice-lock.json`. */
export interface DirectoryLock {
  readonly dir: string;
  /** Removes the owner file (and the directory, if the lock made it and it stayed empty), then frees the lock; idempotent. */
  release(): Promise<void>;
}

export type DirectoryLockResult = { readonly lock: DirectoryLock } | { readonly heldBy: LockOwner | undefined };

/**
 * Locks `dir` for `owner` (creating the directory), or says who holds it. The lock is taken before the directory
 * is created where the strategy allows, so a directory that exists unlocked and unnamed is never one being set up.
 * Throws with the system's reason when the directory cannot be created or the lock not tried.
 */
export async function lockDirectory(dir: string, owner: LockOwner, strategy: LockStrategy = platformLockStrategy()): Promise<DirectoryLockResult> {
  let created = strategy === 'socket-file' ? await mkdir(dir, { recursive: true }) : undefined;
  const lock = await tryLock(dir, strategy);
  if (lock === undefined) return { heldBy: await readLockOwner(dir) };
  try {
    created ??= await mkdir(dir, { recursive: true });
  } catch (error) {
    await lock.release();
    throw error;
  }
  try {
    await writeLockOwner(dir, owner);
  } catch {
    // The file only names the holder for a refused job's message (which then says the holder is unnamed); the
    // lock is the socket. A directory that cannot take it (full, read-only) fails the job where it writes data.
  }
  let released: Promise<void> | undefined;
  return {
    lock: {
      dir,
      release: () =>
        (released ??= (async () => {
          try {
            await removeLockOwner(dir, owner);
            if (created !== undefined) await removeEmptyDirectories(dir, created);
          } finally {
            await lock.release();
          }
        })()),
    },
  };
}

/**
 * Removes `dir` and its parents up to `top` (the first directory the lock's mkdir created) while they are empty, so
 * that a job that wrote nothing there — refused at start, say — leaves no trace. A directory that is not empty (a
 * neighbour's) stops it.
 */
async function removeEmptyDirectories(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top || path.dirname(current) === current) return;
  }
}
