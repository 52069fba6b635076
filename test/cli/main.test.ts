import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the real command line in a child process, as `npx sluice` would (from source, through tsx). */
function sluice(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), ...args], {
    cwd: join(root, 'test', 'cli', 'fixtures'),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SLUICE_DEBUG: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the sluice command line', () => {
  it('prints its version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(sluice('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('rejects an unknown option in one line with exit code 2', () => {
    const { code, stdout, stderr } = sluice('compile', 'tiny.pipe', '--grpah', 'json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("error: unknown option '--grpah'\n(Did you mean --graph?)\n");
  });

  it('compiles a file end to end', () => {
    const ok = sluice('compile', 'tiny.pipe');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^pipeline 'tiny'/);
  });
});
