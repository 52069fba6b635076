import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readLockOwner } from './lock-owner.js';
import { tryLock, type LockStrategy } from './process-lock.js';

/**
 * A job's own local state directory (the disk backend's LMDB stores, one `attempt-<n>/` per attempt): a fresh
 * `sluice-state-<random>/` under the OS temp directory, locked by its job like any other of its directories. The
 * job removes it when it ends; a killed process cannot, so every job start removes those of dead processes.
 */
export const STATE_DIR_PREFIX = 'sluice-state-';

/** A fresh path for a job's state directory (not created: the job locks it first, then creates it). */
export function freshLocalStateDir(parent: string = os.tmpdir()): string {
  return path.join(parent, `${STATE_DIR_PREFIX}${randomBytes(6).toString('hex')}`);
}

/**
 * Removes the state directories under `parent` that belong to dead processes: those naming their owner
 * (`.sluice-lock.json`) whose lock nobody holds. It holds the lock while it removes one, so no job can take the
 * directory meanwhile. A directory naming no owner is left alone: it is being set up, or was made by a Sluice
 * version before locks. Returns the directories removed.
 */
export async function removeDeadStateDirs(parent: string = os.tmpdir(), strategy?: LockStrategy): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(STATE_DIR_PREFIX)) continue;
    const dir = path.join(parent, name);
    if ((await readLockOwner(dir)) === undefined) continue;
    let lock;
    try {
      lock = await tryLock(dir, strategy);
    } catch {
      continue; // Not ours to judge (another user's, unreadable): leave it.
    }
    if (lock === undefined) continue;
    try {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another user's directory in a shared temp directory: not ours to remove.
    } finally {
      await lock.release();
    }
  }
  return removed;
}
