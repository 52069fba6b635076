import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSnapshot, dumpOperatorState } from '../../cli/control/inspect-snapshot.js';
import { openSnapshot } from '../../cli/control/open-snapshot.js';
import type { StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { countsCheckpoint } from './snapshot-fixture.js';

const DAY = 86_400_000;

let dir: string;
let stored: StoredCheckpoint;
let finishedAt: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-ttl-'));
  const checkpoint = await countsCheckpoint(join(dir, 'checkpoints'), { 'table.exec.state.ttl': '1 d' });
  finishedAt = Date.now();
  const opened = await openSnapshot(checkpoint, dir, 'savepoint or checkpoint');
  if ('error' in opened) throw new Error(opened.error.message);
  stored = opened.stored;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function dump(now: number): Promise<{ state: string; key: number[]; value: unknown; expiresAt?: number; expires?: string }[]> {
  const entry = stored.metadata.operators.find((op) => op.uid === 'per-v')!;
  const lines = [];
  for await (const line of dumpOperatorState(stored, entry, now)) lines.push(JSON.parse(line));
  return lines;
}

describe('sluice savepoint inspect of state with a TTL', () => {
  it("says the TTL and how long the keys' state has left, from the soonest to the latest expiry", async () => {
    const text = await describeSnapshot(stored, finishedAt);
    expect(text).toMatch(/\n  __ttl\.written +keyed value \(internal\) +5 entries\n/);
    expect(text).toMatch(
      /\n  state TTL 1 d after a key's last write: 5 keys \(or join sides\); the soonest expires in 23 h 5\d min, the latest expires in 23 h 5\d min\n/,
    );
    expect(await describeSnapshot(stored, finishedAt + 2 * DAY)).toContain(
      'the soonest expired (removed as soon as the job is restored), the latest expired (removed as soon as the job is restored)',
    );
  });

  it("dumps each key's write time with its expiry", async () => {
    const lines = (await dump(finishedAt)).filter((l) => l.state === '__ttl.written');
    expect(lines.map((l) => l.key[0]).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const line of lines) {
      expect(line.expiresAt).toBe((line.value as number) + DAY);
      expect(line.expires).toMatch(/^expires in 23 h 5\d min$/);
    }
  });
});
