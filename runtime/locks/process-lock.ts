import { createHash } from 'node:crypto';
import { realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { connect, createServer, type Server } from 'node:net';

/**
 * A lock held for the life of the process and released by the kernel when the process dies, however it dies
 * (SIGKILL included), with no native dependency: the lock is a listening local socket whose name is derived from
 * the locked path. Binding a name that is bound already fails with EADDRINUSE, which is "held".
 *
 * - `abstract` (Linux): `\0sluice-lock/<sha256 of the real path>` in the abstract namespace. No file is left
 *   behind; the kernel frees the name with the last descriptor. Visible within one network namespace (a host, or
 *   a container sharing the host's network).
 * - `pipe` (Windows): the named pipe `\\.\pipe\sluice-lock-<sha256>`, freed by the kernel likewise.
 * - `socket-file` (other Unix): a socket file `.sluice-lock.sock` in the directory (for a path that is not a
 *   directory, `<path>.lock` beside it). A file left by a dead process refuses connections (ECONNREFUSED): it is
 *   removed and the bind tried again. Two processes doing so at the same moment could both win: a narrow window
 *   that only a stale file opens.
 */
export type LockStrategy = 'abstract' | 'pipe' | 'socket-file';

export interface ProcessLock {
  /** The canonical path the lock is named after. */
  readonly path: string;
  /** Frees the lock; idempotent. */
  release(): Promise<void>;
}

export const SOCKET_FILE = '.sluice-lock.sock';

export function platformLockStrategy(): LockStrategy {
  if (process.platform === 'linux') return 'abstract';
  if (process.platform === 'win32') return 'pipe';
  return 'socket-file';
}

/**
 * The path with symbolic links resolved, also for a path that does not exist yet (its nearest existing ancestor
 * is resolved), so that two spellings of one directory name one lock.
 */
export function canonicalPath(path: string): string {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...rest.reverse());
    } catch (error) {
      const parent = dirname(current);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error;
      rest.push(basename(current));
      current = parent;
    }
  }
}

function socketName(path: string, strategy: LockStrategy): string {
  const hash = createHash('sha256').update(path).digest('hex');
  switch (strategy) {
    case 'abstract':
      return `\0sluice-lock/${hash}`;
    case 'pipe':
      return `\\\\.\\pipe\\sluice-lock-${hash}`;
    case 'socket-file':
      return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true ? join(path, SOCKET_FILE) : `${path}.lock`;
  }
}

function listen(server: Server, name: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(name, () => {
      server.off('error', resolve);
      resolve(undefined);
    });
  });
}

/** Whether something listens on the socket file (ECONNREFUSED or ENOENT: nothing does). */
function socketFileIsLive(name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(name);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
      else reject(error);
    });
  });
}

/**
 * Takes the lock named after `path` (canonicalized), or returns undefined when another holder has it — another
 * process, or another job of this process. Throws (with the system's reason) when the lock cannot be tried.
 * The socket-file strategy locks a directory only once it exists (else the path's sibling `<path>.lock`).
 */
export async function tryLock(path: string, strategy: LockStrategy = platformLockStrategy()): Promise<ProcessLock | undefined> {
  const canonical = canonicalPath(path);
  const name = socketName(canonical, strategy);
  for (let attempt = 0; ; attempt++) {
    const server = createServer((connection) => connection.destroy());
    const error = await listen(server, name);
    if (error === undefined) {
      // The lock must not keep the process alive: it lives exactly as long as the process does.
      server.unref();
      let released: Promise<void> | undefined;
      return {
        path: canonical,
        release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))),
      };
    }
    if (error.code !== 'EADDRINUSE') throw error;
    // A socket file outlives a killed holder: nobody accepting on it means nobody holds the lock.
    if (strategy !== 'socket-file' || attempt > 0 || (await socketFileIsLive(name))) return undefined;
    rmSync(name, { force: true });
  }
}

/** Whether someone holds the lock of `path`: probes it by taking it and letting it go at once. */
export async function isLocked(path: string, strategy: LockStrategy = platformLockStrategy()): Promise<boolean> {
  const lock = await tryLock(path, strategy);
  if (lock === undefined) return true;
  await lock.release();
  return false;
}
