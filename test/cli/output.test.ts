import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useColor, writeFileAtomic } from '../../cli/output.js';

describe('useColor', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true };

  it('colors a terminal unless told not to', () => {
    expect(useColor(tty, {}, true)).toBe(true);
    expect(useColor(tty, {}, false)).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' }, true)).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' }, true)).toBe(false);
  });

  it('colors a pipe only when forced', () => {
    expect(useColor(pipe, {}, true)).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' }, true)).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: '0' }, true)).toBe(false);
  });
});

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-output-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file and leaves no temporary file behind', async () => {
    const target = join(dir, 'graph.json');
    await writeFileAtomic(target, 'old');
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['graph.json']);
  });

  it('fails without leaving anything when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'graph.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
