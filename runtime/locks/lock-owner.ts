import { hostname } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { nodeFileSystem, writeFileAtomically } from '../checkpoint/storage/file-system.js';

/**
 * `.sluice-lock.json` in a locked directory: who holds the lock (process-lock.ts), so that a refused job can name
 * the running one. Written after the lock is taken and removed before it is released; it names, it does not lock:
 * a file left by a killed process is simply overwritten by the next holder.
 */
export const LOCK_OWNER_FILE = '.sluice-lock.json';

export const LockOwnerSchema = z.object({
  format: z.literal('sluice-lock-owner'),
  version: z.literal(1),
  pid: z.number().int().positive(),
  host: z.string(),
  /** The pipeline name. */
  job: z.string(),
  jobId: z.string(),
  /** When the job started, in ms since the epoch. */
  startedAt: z.number(),
});
export type LockOwner = z.infer<typeof LockOwnerSchema>;

export function lockOwner(job: string, jobId: string): LockOwner {
  return { format: 'sluice-lock-owner', version: 1, pid: process.pid, host: hostname(), job, jobId, startedAt: Date.now() };
}

export async function writeLockOwner(dir: string, owner: LockOwner): Promise<void> {
  await writeFileAtomically(nodeFileSystem, path.join(dir, LOCK_OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

/** The holder the directory names; undefined when it names none (not written yet, or not a lock owner file). */
export async function readLockOwner(dir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(await readFile(path.join(dir, LOCK_OWNER_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the owner file if it still names `owner` (a later holder's file is not ours to remove). */
export async function removeLockOwner(dir: string, owner: LockOwner): Promise<void> {
  const current = await readLockOwner(dir);
  if (current?.jobId === owner.jobId && current.pid === owner.pid) await rm(path.join(dir, LOCK_OWNER_FILE), { force: true });
}

/** The holder in words, for refusals: "job 'orders' (id orders-1a2b3c4d, pid 4242 on host db-1, since 2026-…)". */
export function describeLockOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return `another process (it has not named itself in ${LOCK_OWNER_FILE} yet)`;
  return `job '${owner.job}' (id ${owner.jobId}, pid ${owner.pid} on host ${owner.host}, since ${new Date(owner.startedAt).toISOString()})`;
}
