import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSluice } from '../run/spawn-sluice.js';

/**
 * Issue 8, item 1: the exactly-once file sink on a real 2 MB tmpfs that fills up. A write that runs out of space
 * fails the job with SLC9120, no committed part file is ever cut short, and once space is freed (the tmpfs is
 * remounted larger) `--resume` commits exactly the rows of the input, each once.
 */
const ROWS = 30_000;
const PAD = 100;

let root: string;
let sinkDir: string;
let mounted = false;
let skipReason: string | undefined;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-disk-full-'));
  sinkDir = join(root, 'out');
  mkdirSync(sinkDir);
  if (process.getuid?.() !== 0) {
    skipReason = 'mounting a tmpfs needs root';
  } else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', sinkDir], { stdio: 'pipe' });
      mounted = true;
    } catch (error) {
      skipReason = `cannot mount a tmpfs: ${(error as Error).message}`;
    }
  }
  if (skipReason !== undefined) console.warn(`skipping the disk-full test: ${skipReason}`);
});

afterAll(() => {
  if (mounted) execFileSync('umount', [sinkDir]);
  rmSync(root, { recursive: true, force: true });
});

function pipe(): string {
  return `
SET 'pipeline.name' = 'fill';
SET 'execution.checkpointing.interval' = '100ms';
SET 'state.checkpoints.dir' = '${join(root, 'checkpoints')}';
SET 'restart-strategy.type' = 'none';
CREATE SOURCE ticks (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1',
  'fields.id.end' = '${ROWS}', 'rows-per-second' = '20000') UID 'ticks';
CREATE SINK out WITH ('connector' = 'file', 'path' = '${sinkDir}', 'format' = 'jsonl', 'sink.rolling-policy.file-size' = '256kb') UID 'out';
INSERT INTO out FROM ticks |> SELECT id, REPEAT('x', ${PAD}) AS pad;
`;
}

/** Every committed part file, checked to hold whole rows only; their ids. */
function committedIds(): number[] {
  const ids: number[] = [];
  for (const name of readdirSync(sinkDir).filter((n) => n.startsWith('part-'))) {
    const text = readFileSync(join(sinkDir, name), 'utf8');
    expect(text.endsWith('\n'), `${name} ends in the middle of a row`).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) {
      const row = JSON.parse(line) as { id: number; pad: string };
      expect(row.pad).toBe('x'.repeat(PAD));
      ids.push(row.id);
    }
  }
  return ids.sort((a, b) => a - b);
}

describe('an exactly-once file sink on a disk that fills up', () => {
  it('fails with SLC9120, never commits a cut file, and resumes to exact output once space is freed', async (context) => {
    if (skipReason !== undefined) return context.skip();
    const file = join(root, 'fill.pipe');
    writeFileSync(file, pipe());

    const full = spawnSluice(['run', file, '--quiet'], root);
    const first = await full.exit;
    expect(first.code).toBe(1);
    expect(full.stderr()).toMatch(/\[SLC9120\] file sink 'out' cannot write .*: ENOSPC: no space left on device/);
    expect(full.stderr()).toContain('free space on that device');
    const before = committedIds();
    expect(before.length).toBeLessThan(ROWS);
    expect(new Set(before).size).toBe(before.length);

    execFileSync('mount', ['-o', 'remount,size=16m', sinkDir]);
    const resumed = spawnSluice(['run', file, '--resume', '--quiet'], root);
    expect((await resumed.exit).code, resumed.stderr()).toBe(0);
    expect(committedIds()).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(readdirSync(sinkDir).filter((n) => n.startsWith('.part-'))).toEqual([]);
  }, 120_000);
});
