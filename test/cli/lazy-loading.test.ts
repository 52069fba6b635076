import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'sluice-lazy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the command line from source in a child process and returns the URLs of the modules it loaded. */
function modulesLoadedBy(...args: string[]): string[] {
  const log = join(scratch, `modules-${args.join('-').replace(/\W/g, '_')}.txt`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(root, 'test', 'cli', 'fixtures', 'record-modules.mjs'), join(root, 'cli', 'main.ts'), ...args],
    {
      cwd: join(root, 'test', 'cli', 'fixtures'),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', SLUICE_MODULE_LOG: log, SLUICE_RUNTIME_DIR: join(scratch, 'runtime') },
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(log, 'utf8').trim().split('\n');
}

/** What only compiling or running a job needs: the parser (and chevrotain with its 640 lodash-es modules), the planner, the runtime. */
const HEAVY = ['/node_modules/chevrotain/', '/node_modules/lodash-es/', '/grammar/', '/compiler/compile.ts', '/compiler/plan/', '/runtime/execution/'];
const heavyIn = (urls: readonly string[]) => urls.filter((url) => HEAVY.some((part) => url.includes(part)));

describe('start-up loads only what the command needs', () => {
  it('sluice --help loads neither the compiler nor the runtime', () => {
    expect(heavyIn(modulesLoadedBy('--help'))).toEqual([]);
  });

  it('sluice list loads neither the compiler nor the runtime', () => {
    expect(heavyIn(modulesLoadedBy('list'))).toEqual([]);
  });

  it('sluice compile does not load the Flink SQL importer, which only sluice import needs', () => {
    expect(modulesLoadedBy('compile', 'tiny.pipe').filter((url) => url.includes('/compiler/importers/'))).toEqual([]);
  });

  it('sluice compile loads neither the Flink SQL exporter nor snapshot reading, which only --emit and --check-savepoint need', () => {
    const loaded = modulesLoadedBy('compile', 'tiny.pipe');
    const optional = ['/compiler/exporters/flink-sql/', '/compiler/savepoint-compat/', '/runtime/checkpoint/'];
    expect(loaded.filter((url) => optional.some((part) => url.includes(part)))).toEqual([]);
  });

  it('sluice compile loads the compiler (the check above sees what is loaded)', () => {
    const heavy = heavyIn(modulesLoadedBy('compile', 'tiny.pipe'));
    expect(heavy.some((url) => url.includes('/grammar/parser.ts'))).toBe(true);
    expect(heavy.some((url) => url.includes('/node_modules/chevrotain/'))).toBe(true);
  });
});
