import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../runtime/checkpoint/restore/load-checkpoint.js';
import type { StoredCheckpoint } from '../../runtime/checkpoint/storage/checkpoint-storage.js';
import { FileCheckpointStorage } from '../../runtime/checkpoint/storage/file-storage.js';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { DiskKeyedStateBackend } from '../../runtime/state/disk-backend.js';
import { HeapKeyedStateBackend } from '../../runtime/state/heap-backend.js';
import { createKeyedState, valueState } from '../../runtime/state/keyed-state.js';
import type { KeyedStateBackend } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { snapshotChangesWithTimers, snapshotWithTimers } from '../../runtime/time/keyed-snapshot-with-timers.js';
import { TimerService } from '../../runtime/time/timer-service.js';
import { metadataFor, tempDir } from './state-fixtures.js';

const RANGE = { start: 0, end: 127 };

const opened: KeyedStateBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.dispose();
});

/** A subtask's keyed state as the operator host holds it: a backend and the timer service beside it. */
function subtask(type: 'fs' | 'disk') {
  const backend: KeyedStateBackend =
    type === 'fs' ? new HeapKeyedStateBackend('fs', 128, RANGE) : new DiskKeyedStateBackend(128, RANGE, { directory: path.join(tempDir(), 'db'), cacheCells: 64 });
  opened.push(backend);
  const key = new CurrentKey(128, RANGE, 'test');
  const timers = new TimerService(backend, key);
  const count = createKeyedState(backend, key, valueState<number>('count'));
  return { backend, key, timers, count };
}

type Subtask = ReturnType<typeof subtask>;

/** Every timer firing up to +∞, as text, in firing order (the subtask's timers are used up). */
function fireAll({ timers }: Subtask): string[] {
  const fired: string[] = [];
  timers.advanceWatermark(Infinity, (t) => fired.push(`${t.timestamp} ${JSON.stringify(t.key)} ${t.namespace}`));
  timers.advanceProcessingTime(Infinity, (t) => fired.push(`p${t.timestamp} ${JSON.stringify(t.key)} ${t.namespace}`));
  return fired;
}

function textOf({ backend, timers }: Subtask): string {
  const snapshot = snapshotWithTimers(backend, timers, false);
  const text = keyedStateToText(snapshot);
  snapshot.release();
  return text;
}

/**
 * Round `round` of changes: keys whose timers alone change (registered, deleted, fired by the watermark), keys
 * whose value alone changes, and keys with both.
 */
function change(s: Subtask, round: number, windows: boolean): void {
  for (let i = 0; i < 300; i++) {
    if ((i + round) % 5 !== 0 && round > 0) continue;
    s.key.set([i]);
    // Each round's event-time timers are new to their keys: `windows` registers them as a window operator does.
    if (i % 3 !== 0) register(s, windows, round * 100 + (i % 50), `w${i % 2}`);
    if (i % 3 !== 1) s.count.update(round * 1000 + i);
    if (i % 7 === 0) s.timers.registerProcessingTimeTimer(round * 100 + i, '');
    if (i % 11 === 0) s.timers.deleteEventTimeTimer((round - 1) * 100 + (i % 50), `w${i % 2}`);
  }
  // Fires the timers of the round before last: keys whose only change is a fired timer.
  s.timers.advanceWatermark(round * 100 - 150, () => {});
}

function register(s: Subtask, windows: boolean, timestamp: number, namespace: string): void {
  if (windows) s.timers.registerNewEventTimeTimer(timestamp, namespace);
  else s.timers.registerEventTimeTimer(timestamp, namespace);
}

describe('incremental checkpoints with timers: timers held by the timer service join the deltas', () => {
  it.each([
    ['fs', false],
    ['disk', false],
    ['fs', true],
    ['disk', true],
  ] as const)('every checkpoint of a chain restores the same state and timers as a full snapshot (%s, window timers: %s)', async (type, windows) => {
    const storage = new FileCheckpointStorage(tempDir(), type);
    const s = subtask(type);
    change(s, 0, windows);
    // Keys no round changes, so that deltas stay smaller than the base.
    for (let i = 1000; i < 3000; i++) {
      s.key.set([i]);
      s.count.update(i);
    }
    const expected = [textOf(s)];
    const base = snapshotWithTimers(s.backend, s.timers, true);
    const stored: StoredCheckpoint[] = [await storage.complete(metadataFor(1, (await storage.writeBase(1, 'counts-0', base)).files))];
    base.release();
    for (let round = 1; round <= 5; round++) {
      change(s, round, windows);
      expected.push(textOf(s));
      const delta = snapshotChangesWithTimers(s.backend, s.timers)!;
      expect(delta).toBeDefined();
      // Timers changed after the delta is taken do not show in it, only in the next one.
      s.key.set([round]);
      register(s, windows, round * 100 + 99, 'after');
      const { files } = await storage.writeChanges(round + 1, 'counts-0', delta, round);
      delta.release();
      stored.push(await storage.complete(metadataFor(round + 1, files)));
    }
    expect(expected[0]).toContain('__timers.processing');
    for (let i = 0; i < stored.length; i++) {
      const restored = subtask(type);
      const loaded = await loadCheckpoint(stored[i]!);
      for (const keyed of loaded.operators[0]!.keyed) restored.backend.restore(restored.timers.restore(keyed.entries), keyed.header.states);
      expect(textOf(restored)).toBe(expected[i]);
      // The restored timers are the service's: they fire (once, in order) as those of the state snapshotted.
      const reference = subtask('fs');
      const parsed = await loadCheckpoint(stored[i]!);
      for (const keyed of parsed.operators[0]!.keyed) reference.backend.restore(reference.timers.restore(keyed.entries), keyed.header.states);
      const fired = fireAll(restored);
      expect(fired.length).toBeGreaterThan(0);
      expect(fired).toEqual(fireAll(reference));
      expect(textOf(restored)).not.toMatch(/^\[\d+,"__timers/m);
    }
  });

  it('a snapshot keeps the timers pending when it was taken, whatever fires or is registered after', () => {
    const s = subtask('fs');
    s.key.set(['a']);
    s.timers.registerEventTimeTimer(10, 'x');
    s.timers.registerEventTimeTimer(20, 'x');
    const snapshot = snapshotWithTimers(s.backend, s.timers, false);
    s.timers.advanceWatermark(10, () => {});
    s.timers.registerEventTimeTimer(30, 'x');
    s.timers.deleteEventTimeTimer(20, 'x');
    expect([...snapshot.entries()].map((e) => [e.state, e.key, e.namespace, e.mapKey, e.value])).toEqual([
      ['__timers.event', '["a"]', 'x', 10, null],
      ['__timers.event', '["a"]', 'x', 20, null],
    ]);
    snapshot.release();
    expect(fireAll(s)).toEqual(['30 ["a"] x']);
  });
});
