import { randomBytes, timingSafeEqual } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { listDirectory } from '../../runtime/list-directory.js';
import { isLocked, tryLock, type ProcessLock } from '../../runtime/locks/process-lock.js';

/**
 * The registry of running jobs: one JSON file per `sluice run` in the runtime directory (runtime-dir.ts),
 * next to the job's control socket. The file holds the token the socket demands, so reading it (file
 * permission) is what authorizes a caller. The job holds a process lock named after its registry file
 * (runtime/locks/process-lock.ts) for as long as it runs and removes the file when it ends; files of processes
 * that died without doing so are stale: their lock is free (whatever process now has their pid), and
 * `listRunningJobs` removes them.
 */
export const REGISTRY_FORMAT = 'sluice-running-job';

export const RegistryEntrySchema = z.object({
  format: z.literal(REGISTRY_FORMAT),
  version: z.literal(1),
  jobId: z.string().min(1),
  pipelineName: z.string(),
  pid: z.number().int().positive(),
  /** The control socket's absolute path. */
  socket: z.string().min(1),
  /** When the job started, in ms since the epoch. */
  startedAt: z.number(),
  token: z.string().regex(/^[0-9a-f]{64}$/),
  /** The pipeline's `state.savepoints.dir` made absolute, or null: the default target of savepoints. */
  savepointsDir: z.string().nullable(),
});
export type RegistryEntry = z.infer<typeof RegistryEntrySchema>;

export interface RunningJob {
  readonly entry: RegistryEntry;
  /** The registry file. */
  readonly file: string;
}

const ENTRY_SUFFIX = '.json';
const SOCKET_SUFFIX = '.sock';

/** A fresh name for a job's registry file and socket: short, because socket paths are limited to ~100 bytes. */
export function registrationPaths(dir: string): { readonly file: string; readonly socket: string } {
  const name = randomBytes(6).toString('hex');
  return { file: join(dir, `${name}${ENTRY_SUFFIX}`), socket: join(dir, `${name}${SOCKET_SUFFIX}`) };
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Whether a caller's token is `expected`, compared in constant time (the timing says nothing about it). */
export function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Writes `entry` to `file` readable by its owner only (0600), atomically: a reader sees no file or all of it. */
export async function writeRegistryEntry(file: string, entry: RegistryEntry): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(entry)}\n`, 'utf8');
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes a job's registry file and its socket; missing ones are fine (another `list` may have cleaned them). */
export async function removeRegistration(job: RunningJob): Promise<void> {
  await rm(job.file, { force: true });
  // A registry file names its own socket, but only a socket beside it is removed: nothing elsewhere is touched.
  if (dirname(job.entry.socket) === dirname(job.file)) await rm(job.entry.socket, { force: true });
}

/** Takes the lock a running job holds on its registration (undefined: held already). */
export function lockRegistration(file: string): Promise<ProcessLock | undefined> {
  return tryLock(file);
}

/** Whether the job of a registry entry runs: its process exists and holds the registration's lock (a reused pid does not). */
export async function registrationIsLive(entry: RegistryEntry, file: string): Promise<boolean> {
  return processIsAlive(entry.pid) && (await isLocked(file));
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readEntry(file: string): Promise<RegistryEntry | undefined> {
  try {
    const parsed = RegistryEntrySchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The jobs registered in `dir`, oldest first (then by id). Entries whose job is gone are removed on the way, and
 * so are sockets and temporary files that no live registration claims (left by a process killed while it
 * registered); files that are not registry entries (another version's, say) are left alone and skipped.
 */
export async function listRunningJobs(
  dir: string,
  isLive: (entry: RegistryEntry, file: string) => boolean | Promise<boolean> = registrationIsLive,
): Promise<RunningJob[]> {
  const names = await listDirectory(dir);
  const running: RunningJob[] = [];
  for (const name of names) {
    if (name.startsWith('.') || !name.endsWith(ENTRY_SUFFIX)) continue;
    const file = join(dir, name);
    const entry = await readEntry(file);
    if (entry === undefined) continue;
    if (await isLive(entry, file)) running.push({ entry, file });
    else await removeRegistration({ entry, file });
  }
  const present = new Set(await readdir(dir));
  for (const name of present) {
    const owner = leftoverOwner(name);
    if (owner === undefined || present.has(owner)) continue;
    // A socket or temporary file without its entry: the job is registering now (it holds the lock), or died.
    if (!(await isLocked(join(dir, owner)))) await rm(join(dir, name), { force: true });
  }
  return running.sort((a, b) => a.entry.startedAt - b.entry.startedAt || a.entry.jobId.localeCompare(b.entry.jobId));
}

/**
 * The registry file name a socket (`<name>.sock`), temporary file (`.<name>.json.<random>.tmp`) or lock socket
 * (`<name>.json.lock`, where locks are socket files) belongs to.
 */
function leftoverOwner(name: string): string | undefined {
  if (name.endsWith(SOCKET_SUFFIX)) return `${name.slice(0, -SOCKET_SUFFIX.length)}${ENTRY_SUFFIX}`;
  if (name.endsWith(`${ENTRY_SUFFIX}.lock`)) return name.slice(0, -'.lock'.length);
  return /^\.([0-9a-f]+\.json)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
}

export type JobResolution =
  | { readonly kind: 'found'; readonly job: RunningJob }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'ambiguous'; readonly ids: readonly string[] };

/** The job `reference` names: a job id, else the pipeline name of exactly one running job. */
export function resolveJob(reference: string, jobs: readonly RunningJob[]): JobResolution {
  const byId = jobs.find((job) => job.entry.jobId === reference);
  if (byId !== undefined) return { kind: 'found', job: byId };
  const byName = jobs.filter((job) => job.entry.pipelineName === reference);
  if (byName.length === 1) return { kind: 'found', job: byName[0]! };
  if (byName.length === 0) return { kind: 'not-found' };
  return { kind: 'ambiguous', ids: byName.map((job) => job.entry.jobId) };
}
