import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from './run-in-process.js';

describe('examples/embedding/embed.mjs', () => {
  // Run from source: a resolve hook maps 'sluice' to index.ts, as the package's exports map does to dist/index.js.
  it('compiles, feeds, runs and prints its totals through the package entry point', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--import', join(FIXTURES, 'resolve-sluice.mjs'), join(ROOT, 'examples', 'embedding', 'embed.mjs')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual([
      '2024-01-01T12:00:00.000Z  ada    2 orders  60.00 gross',
      '2024-01-01T12:00:00.000Z  grace  2 orders  84.00 gross',
      '2024-01-01T12:00:00.000Z  linus  2 orders  108.00 gross',
      '2024-01-01T12:01:00.000Z  ada    2 orders  204.00 gross',
      '2024-01-01T12:01:00.000Z  grace  2 orders  228.00 gross',
      '2024-01-01T12:01:00.000Z  linus  2 orders  252.00 gross',
    ]);
    expect(lines.at(-1)).toMatch(/^finished: 12 orders read, 6 totals written in \d+ ms$/);
  });
});
