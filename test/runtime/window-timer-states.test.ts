import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { createKeyedState, mapState } from '../../runtime/state/keyed-state.js';
import type { KeyedStateBackend, KeyedStateSnapshot, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import type { KeyGroupRange } from '../../runtime/state/key-groups.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { snapshotWithTimers } from '../../runtime/time/keyed-snapshot-with-timers.js';
import { TimerService } from '../../runtime/time/timer-service.js';
import { metadataFor, tempDir } from '../checkpoint/state-fixtures.js';

const ALL: KeyGroupRange = { start: 0, end: 127 };
const WINDOWS = 'windows';

const opened: KeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
});

/**
 * A window operator's subtask as the host builds it: a backend, the timer service told that `windows` entries
 * imply their timers (or not: `declared` false), and the window state.
 */
function subtask(type: 'fs' | 'disk', declared: boolean, range: KeyGroupRange = ALL) {
  const backend: KeyedStateBackend =
    type === 'fs' ? new HeapKeyedStateBackend('fs', 128, range) : new DiskKeyedStateBackend(128, range, { directory: path.join(tempDir(), 'db'), cacheCells: 64 });
  opened.push(backend);
  const key = new CurrentKey(128, range, 'test');
  const timers = new TimerService(backend, key, declared ? [WINDOWS] : []);
  const windows = createKeyedState(backend, key, mapState<readonly [number, number], number>(WINDOWS));
  return { backend, key, timers, windows };
}

type Subtask = ReturnType<typeof subtask>;

/**
 * Rows of `keys` keys in HOP windows (size 40, slide 10) as the window aggregate keeps them: a window new to
 * state is stored and its timer registered in the window's group; a known one is counted in place. Some keys
 * also hold a processing-time timer and an event-time timer of their own (the heap's, which bases keep).
 */
function addRows(s: Subtask, times: readonly number[], keys: number): void {
  for (const time of times) {
    for (let k = 0; k < keys; k++) {
      s.key.set([`k${k}`, k % 3]);
      for (let start = time - (time % 10); start > time - 40; start -= 10) {
        const bounds = [start, start + 40] as const;
        const count = s.windows.get(bounds);
        if (count === undefined) {
          s.windows.put(bounds, 1);
          s.timers.registerNewEventTimeTimer(start + 39, String(start));
        } else s.windows.put(bounds, count + 1);
      }
      if (k % 7 === 0) s.timers.registerProcessingTimeTimer(1000 + k, 'p');
      if (k % 5 === 0) s.timers.registerEventTimeTimer(time + 3, 'own');
    }
  }
}

/** Advances the watermark as the operator does: a fired window is emitted (as text) and leaves state. */
function fireUpTo(s: Subtask, watermark: number, out: string[] = []): string[] {
  s.timers.advanceWatermark(watermark, (timer) => {
    if (timer.namespace === 'own') {
      out.push(`own ${timer.timestamp} ${JSON.stringify(timer.key)}`);
      return;
    }
    const bounds = [Number(timer.namespace), timer.timestamp + 1] as const;
    out.push(`${timer.timestamp} ${JSON.stringify(timer.key)} ${timer.namespace} count ${String(s.windows.get(bounds))}`);
    s.windows.remove(bounds);
  });
  return out;
}

function fireAll(s: Subtask): string[] {
  const out = fireUpTo(s, Infinity);
  s.timers.advanceProcessingTime(Infinity, (t) => out.push(`p${t.timestamp} ${JSON.stringify(t.key)}`));
  return out;
}

function textOf({ backend, timers }: Subtask): string {
  const snapshot = snapshotWithTimers(backend, timers, false);
  const text = keyedStateToText(snapshot);
  snapshot.release();
  return text;
}

function entriesOf(snapshot: KeyedStateSnapshot): StateEntry[] {
  return [...snapshot.entries()];
}

const isWindowTimer = (e: StateEntry) => e.state === '__timers.event' && e.namespace !== 'own';

/** A subtask midway: windows open, some fired, some keys' own timers pending. */
function midway(type: 'fs' | 'disk', declared: boolean): Subtask {
  const s = subtask(type, declared);
  addRows(s, [3, 12, 25], 40);
  fireUpTo(s, 40);
  addRows(s, [44, 51], 30);
  return s;
}

describe('window timers implied by window entries (checkpoint metadata version 8)', () => {
  it.each(['fs', 'disk'] as const)('a base leaves the window groups’ timers out; a full snapshot and an undeclared operator’s base keep them (%s)', (type) => {
    const s = midway(type, true);
    const base = snapshotWithTimers(s.backend, s.timers, true);
    const baseEntries = entriesOf(base);
    base.release();
    const full = snapshotWithTimers(s.backend, s.timers, false);
    const fullEntries = entriesOf(full);
    full.release();
    const windowEntries = fullEntries.filter((e) => e.state === WINDOWS).length;
    expect(windowEntries).toBeGreaterThan(100);
    // Every stored window has its timer pending: the full snapshot lists one per window entry.
    expect(fullEntries.filter(isWindowTimer)).toHaveLength(windowEntries);
    expect(baseEntries.filter(isWindowTimer)).toHaveLength(0);
    // Everything else is in the base: windows, the heap's own event-time timers, processing-time timers.
    const rest = (entries: StateEntry[]) => entries.filter((e) => !isWindowTimer(e)).map((e) => JSON.stringify([e.keyGroup, e.state, e.key, e.namespace, e.value, e.mapKey])).sort();
    expect(rest(baseEntries)).toEqual(rest(fullEntries));
    expect(baseEntries.some((e) => e.state === '__timers.event' && e.namespace === 'own')).toBe(true);
    expect(baseEntries.some((e) => e.state === '__timers.processing')).toBe(true);

    const undeclared = midway(type, false);
    const itsBase = snapshotWithTimers(undeclared.backend, undeclared.timers, true);
    expect(entriesOf(itsBase).filter(isWindowTimer)).toHaveLength(windowEntries);
    itsBase.release();
  });

  it.each(['fs', 'disk'] as const)('a base written and restored fires exactly the windows an uninterrupted run fires (%s)', async (type) => {
    const storage = new FileCheckpointStorage(tempDir(), type);
    const s = midway(type, true);
    const base = snapshotWithTimers(s.backend, s.timers, true);
    const stored = await storage.complete(metadataFor(1, (await storage.writeBase(1, 'windows-0', base)).files));
    base.release();
    const expectedText = textOf(s);
    // The uninterrupted run goes on: more rows, then every window fires.
    const expected = fireUpTo(s, 50);
    addRows(s, [58, 63], 35);
    fireAll(s).forEach((line) => expected.push(line));
    expect(expected.filter((line) => line.includes('count')).length).toBeGreaterThan(200);

    const restoreInto = async (declared: boolean): Promise<{ text: string; fired: string[] }> => {
      const restored = subtask(type, declared);
      for (const keyed of (await loadCheckpoint(stored)).operators[0]!.keyed) restored.backend.restore(restored.timers.restore(keyed.entries), keyed.header.states);
      const text = textOf(restored);
      const fired = fireUpTo(restored, 50);
      addRows(restored, [58, 63], 35);
      fireAll(restored).forEach((line) => fired.push(line));
      return { text, fired };
    };
    const restored = await restoreInto(true);
    expect(restored.text).toBe(expectedText);
    expect(restored.fired).toEqual(expected);
    // Without the window timers re-registered the restored windows never fire: what the comparison above catches.
    const bare = await restoreInto(false);
    expect(bare.fired.length).toBeLessThan(expected.length);
  });

  it('a snapshot that holds the window timers too (a savepoint, a version 7 checkpoint) restores each timer once', () => {
    const s = midway('fs', true);
    const full = snapshotWithTimers(s.backend, s.timers, false);
    const restored = subtask('fs', true);
    restored.backend.restore(restored.timers.restore(full.entries()), Object.fromEntries(full.layouts));
    full.release();
    expect(textOf(restored)).toBe(textOf(s));
    expect(fireAll(restored)).toEqual(fireAll(s));
  });

  it('restored across subtasks of other key-group ranges, each registers the timers of its own key groups', async () => {
    const storage = new FileCheckpointStorage(tempDir(), 'fs');
    const s = midway('fs', true);
    const base = snapshotWithTimers(s.backend, s.timers, true);
    const stored = await storage.complete(metadataFor(1, (await storage.writeBase(1, 'windows-0', base)).files));
    base.release();
    const expected = fireAll(s);
    const fired: string[] = [];
    for (const range of [
      { start: 0, end: 40 },
      { start: 41, end: 127 },
    ]) {
      const part = subtask('fs', true, range);
      for (const keyed of (await loadCheckpoint(stored)).operators[0]!.keyed) part.backend.restore(part.timers.restore(keyed.entries), keyed.header.states);
      const own = fireAll(part);
      expect(own.length).toBeGreaterThan(0);
      fired.push(...own);
    }
    expect(fired.sort()).toEqual([...expected].sort());
  });
});
