import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalPath, SOCKET_FILE, tryLock, type LockStrategy } from '../../runtime/locks/process-lock.js';
import { tempDir } from '../checkpoint/state-fixtures.js';

const TSX = import.meta.resolve('tsx');
const HOLDER = path.join(import.meta.dirname, 'fixtures', 'hold-lock.ts');

/** Another process holding the lock of `dir`, once `locked` resolves. */
function holder(dir: string, strategy: LockStrategy) {
  const child = spawn(process.execPath, ['--import', TSX, HOLDER, dir, strategy], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const said = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { said, kill: async () => (child.kill('SIGKILL'), exited) };
}

const strategies: LockStrategy[] = process.platform === 'linux' ? ['abstract', 'socket-file'] : ['socket-file'];

describe.each(strategies)('a process lock (%s)', (strategy) => {
  it('is refused while another process holds it, and free at once when that process is killed with SIGKILL', async () => {
    const dir = tempDir();
    const other = holder(dir, strategy);
    expect(await other.said).toBe('locked');
    expect(await tryLock(dir, strategy)).toBeUndefined();
    expect(await other.kill()).toBe('SIGKILL');
    // SIGKILL runs no cleanup: a socket file stays behind, and is recognised as dead.
    if (strategy === 'socket-file') expect(fs.existsSync(path.join(dir, SOCKET_FILE))).toBe(true);
    const lock = await tryLock(dir, strategy);
    expect(lock).toBeDefined();
    const third = holder(dir, strategy);
    expect(await third.said).toBe('held');
    await third.kill();
    await lock!.release();
  });

  it('is one lock for every spelling of a directory, and is refused to a second holder in the same process', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    const lock = await tryLock(path.join(dir, 'real'), strategy);
    expect(lock).toBeDefined();
    expect(await tryLock(path.join(dir, 'link', '.', ''), strategy)).toBeUndefined();
    await lock!.release();
    const again = await tryLock(path.join(dir, 'link'), strategy);
    expect(again).toBeDefined();
    await again!.release();
  });
});

describe('a socket-file lock of a path that is not a directory (a job registration)', () => {
  it('is a socket beside it, taken over from a process killed with SIGKILL', async () => {
    const file = path.join(tempDir(), '0123456789ab.json');
    const other = holder(file, 'socket-file');
    expect(await other.said).toBe('locked');
    expect(await tryLock(file, 'socket-file')).toBeUndefined();
    await other.kill();
    expect(fs.existsSync(`${file}.lock`)).toBe(true);
    const lock = await tryLock(file, 'socket-file');
    expect(lock).toBeDefined();
    await lock!.release();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('canonicalPath', () => {
  it('resolves links of the existing part of a path that does not exist yet', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    expect(canonicalPath(path.join(dir, 'link', 'not', 'yet'))).toBe(path.join(fs.realpathSync(dir), 'real', 'not', 'yet'));
  });
});
