import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `data` at the handle's position. A write may write less than asked (a disk filling up writes what
 * fits, and only the next write fails with ENOSPC): the rest is written again until it is all out or a write fails.
 */
export async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: the write made no progress (no space left on device?)'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}
