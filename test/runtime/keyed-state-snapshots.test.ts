import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { keyGroupRangeForSubtask } from '../../runtime/state/key-groups.js';
import { createKeyedState, listState, mapState, valueState } from '../../runtime/state/keyed-state.js';
import type { KeyedStateBackend, StateBackendType, StateEntry } from '../../runtime/state/keyed-state-backend.js';
import { keyedStateFromText, keyedStateToText, SnapshotFormatError } from '../../runtime/state/snapshot-format.js';
import { binaryKeyedState, binaryKeyedStateOf, parseKeyedStateFile } from '../../runtime/state/snapshot-binary.js';
import { snapshotWithTimers } from '../../runtime/time/keyed-snapshot-with-timers.js';
import { TimerService } from '../../runtime/time/timer-service.js';
import { BACKEND_TYPES, TestBackends } from './state-test-backends.js';

const backends = new TestBackends();
afterEach(() => backends.disposeAll());

const MAX_PARALLELISM = 128;
const KEYS = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? [`user-${i}`] : [i, i % 2 === 0]));

/** Fills value, list and map state and timers for every key of KEYS that falls in the backend's range. */
function fill(backend: KeyedStateBackend): TimerService {
  const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'fill');
  const total = createKeyedState(backend, key, valueState<number>('total'));
  const events = createKeyedState(backend, key, listState<unknown[]>('events'));
  const perWindow = createKeyedState(backend, key, mapState<number[], number>('per-window'));
  const timers = new TimerService(backend, key);
  KEYS.forEach((k, i) => {
    try {
      key.set(k);
    } catch {
      return; // not this subtask's key
    }
    total.update(i * 1.5);
    events.add([i, `e${i}`, null]);
    events.add([i + 1, 'second', Infinity]);
    perWindow.put([0, 10], i);
    perWindow.put([10, 20], -i);
    timers.registerEventTimeTimer(1000 + i, `w${i % 4}`);
  });
  return timers;
}

/** Everything readable through the typed API, for every key of KEYS in the backend's range. */
function readAll(backend: KeyedStateBackend): unknown[] {
  const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'read');
  const total = createKeyedState(backend, key, valueState<number>('total'));
  const events = createKeyedState(backend, key, listState<unknown[]>('events'));
  const perWindow = createKeyedState(backend, key, mapState<number[], number>('per-window'));
  const result: unknown[] = [];
  for (const k of KEYS) {
    try {
      key.set(k);
    } catch {
      continue;
    }
    result.push([k, total.value(), events.get(), [...perWindow.entries()].sort()]);
  }
  return result;
}

describe('keyed state snapshots', () => {
  it.each(BACKEND_TYPES)('the %s backend writes the same canonical snapshot as the heap', (type) => {
    const reference = backends.create('memory');
    const referenceTimers = fill(reference);
    const backend = backends.create(type);
    const timers = fill(backend);
    const snapshot = snapshotWithTimers(backend, timers, false);
    const expected = snapshotWithTimers(reference, referenceTimers, false);
    expect(keyedStateToText(snapshot)).toContain('__timers.event');
    expect(keyedStateToText(snapshot)).toBe(keyedStateToText(expected));
    snapshot.release();
    expected.release();
  });

  it.each(BACKEND_TYPES)('a %s base (checkpoints) holds the canonical entries, in key-group and state order', (type) => {
    const backend = backends.create(type);
    const timers = fill(backend);
    const line = (e: StateEntry) => JSON.stringify([e.keyGroup, e.state, e.key, e.namespace, e.value, e.mapKey]);
    const canonical = snapshotWithTimers(backend, timers, false);
    const expected = [...canonical.entries()].map(line);
    canonical.release();
    const base = snapshotWithTimers(backend, timers, true);
    const entries = [...base.entries()];
    base.release();
    expect(entries.map(line).sort()).toEqual([...expected].sort());
    expect(entries.some((e) => e.state === '__timers.event')).toBe(true);
    const order = entries.map((e) => [e.keyGroup, e.state] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(order).toEqual(sorted);
  });

  it.each(BACKEND_TYPES)('a %s base written field by field is the file its entries make, byte for byte', (type) => {
    const backend = backends.create(type);
    const timers = fill(backend);
    // More than one piece: the writer yields between cells.
    backend.register('many', 'map');
    for (let i = 0; i < 20_000; i++) backend.mapPut('many', (i % 700) % MAX_PARALLELISM, `["k${i % 700}"]`, `w${i % 3}`, `${i}`, i, [i, 'x'.repeat(i % 40)]);
    const base = snapshotWithTimers(backend, timers, true);
    // Each piece copied as it comes: the writer reuses its buffer.
    const concat = (pieces: Iterable<Buffer>) => Buffer.concat(Array.from(pieces, (piece) => Buffer.from(piece)));
    const written = concat(binaryKeyedState(base));
    const fromEntries = concat(binaryKeyedStateOf(base.maxParallelism, base.keyGroupRange, base.layouts, base.entries()));
    base.release();
    expect(written.equals(fromEntries)).toBe(true);
    expect(parseKeyedStateFile(written).entries.some((e) => e.state === '__timers.event')).toBe(true);
  });

  it.each(BACKEND_TYPES)('a %s base holds the window timers pending when it was taken, whatever fires or is registered before it is written', (type) => {
    const backend = backends.create(type);
    const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'windows');
    const total = createKeyedState(backend, key, valueState<number>('total'));
    const timers = new TimerService(backend, key);
    const inRange = KEYS.filter((k) => {
      try {
        key.set(k);
        return true;
      } catch {
        return false;
      }
    });
    for (const [i, k] of inRange.entries()) {
      key.set(k);
      total.update(i);
      timers.registerNewEventTimeTimer(500, '490');
      timers.registerNewEventTimeTimer(600, '590');
      if (i % 7 === 0) timers.registerProcessingTimeTimer(50 + i);
    }
    const line = (e: StateEntry) => JSON.stringify([e.keyGroup, e.state, e.key, e.namespace, e.value, e.mapKey]);
    const canonical = snapshotWithTimers(backend, timers, false);
    const expected = [...canonical.entries()].map(line).sort();
    canonical.release();
    expect(expected.filter((l) => l.includes('"490"'))).toHaveLength(inRange.length);

    const base = snapshotWithTimers(backend, timers, true);
    // Before it is written: a group fires, a timer of another is deleted, new keys join a group and a new group starts.
    timers.advanceWatermark(500, () => {});
    key.set(inRange[0]!);
    timers.deleteEventTimeTimer(600, '590');
    for (const k of inRange.slice(0, 5)) {
      key.set(k);
      timers.registerNewEventTimeTimer(700, '690');
    }
    key.set(['late']);
    timers.registerNewEventTimeTimer(600, '590');
    const concat = (pieces: Iterable<Buffer>) => Buffer.concat(Array.from(pieces, (piece) => Buffer.from(piece)));
    const written = concat(binaryKeyedState(base));
    const fromEntries = concat(binaryKeyedStateOf(base.maxParallelism, base.keyGroupRange, base.layouts, base.entries()));
    base.release();
    expect(written.equals(fromEntries)).toBe(true);
    expect(parseKeyedStateFile(written).entries.map(line).sort()).toEqual(expected);
  });

  const pairs: [StateBackendType, StateBackendType][] = BACKEND_TYPES.flatMap((a) => BACKEND_TYPES.map((b) => [a, b] as [StateBackendType, StateBackendType]));

  it.each(pairs)('round trips from %s into %s', (from, to) => {
    const source = backends.create(from);
    const snapshot = snapshotWithTimers(source, fill(source), false);
    const text = keyedStateToText(snapshot);
    snapshot.release();

    const target = backends.create(to);
    const timers = new TimerService(target, new CurrentKey(MAX_PARALLELISM, target.keyGroupRange, 'timers'));
    const parsed = keyedStateFromText(text);
    target.restore(timers.restore(parsed.entries), parsed.header.states);
    expect(readAll(target)).toEqual(readAll(source));
    const again = snapshotWithTimers(target, timers, false);
    expect(keyedStateToText(again)).toBe(text);
    again.release();

    // Timers come back too, in firing order.
    const fired: number[] = [];
    timers.advanceWatermark(Infinity, (t) => fired.push(t.timestamp));
    expect(fired).toEqual(KEYS.map((_, i) => 1000 + i));
  });

  it.each(BACKEND_TYPES)('rescales %s state from parallelism 2 to 3 and back to 1 by key-group ranges', (type) => {
    const whole = backends.create('memory');
    fill(whole);
    const expected = readAll(whole);

    const twoSubtasks = [0, 1].map((s) => {
      const backend = backends.create(type, MAX_PARALLELISM, keyGroupRangeForSubtask(s, 2, MAX_PARALLELISM));
      fill(backend);
      return backend;
    });
    const texts = twoSubtasks.map((b) => {
      const snap = b.snapshot();
      const text = keyedStateToText(snap);
      snap.release();
      return text;
    });
    const parsed = texts.map(keyedStateFromText);

    const threeSubtasks = [0, 1, 2].map((s) => {
      const backend = backends.create(type, MAX_PARALLELISM, keyGroupRangeForSubtask(s, 3, MAX_PARALLELISM));
      for (const p of parsed) backend.restore(p.entries);
      return backend;
    });
    const gathered = threeSubtasks.flatMap(readAll);
    expect(gathered).toHaveLength(KEYS.length);
    expect(sortByKey(gathered)).toEqual(sortByKey(expected));

    const one = backends.create(type);
    for (const b of threeSubtasks) {
      const snap = b.snapshot();
      one.restore(keyedStateFromText(keyedStateToText(snap)).entries);
      snap.release();
    }
    expect(readAll(one)).toEqual(expected);
  });

  it.each(BACKEND_TYPES)('a %s snapshot does not see writes made after it was taken', (type) => {
    const backend = backends.create(type);
    const key = new CurrentKey(MAX_PARALLELISM, backend.keyGroupRange, 'cow');
    const value = createKeyedState(backend, key, valueState<number>('v'));
    const list = createKeyedState(backend, key, listState<number>('l'));
    const map = createKeyedState(backend, key, mapState<string, number>('m'));
    key.set(['k']);
    value.update(1);
    list.add(1);
    map.put('a', 1);
    const snapshot = backend.snapshot();
    value.update(2);
    list.add(2);
    map.put('a', 2);
    map.put('b', 2);
    key.set(['new']);
    value.update(3);
    const entries = [...snapshot.entries()].map((e) => [e.state, e.key, e.value, e.mapKey]);
    snapshot.release();
    expect(entries).toEqual([
      ['l', '["k"]', [1], undefined],
      ['m', '["k"]', 1, 'a'],
      ['v', '["k"]', 1, undefined],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    key.set(['k']);
    expect(list.get()).toEqual([1, 2]);
    expect(map.get('a')).toBe(2);
  });

  it('rejects truncated and foreign files with the line at fault', () => {
    const backend = backends.create('memory');
    const snapshot = snapshotWithTimers(backend, fill(backend), false);
    const text = keyedStateToText(snapshot);
    snapshot.release();
    const lines = text.trimEnd().split('\n');
    expect(() => keyedStateFromText(lines.slice(0, -1).join('\n'))).toThrow(/truncated/);
    expect(() => keyedStateFromText('{"format":"something-else"}\n')).toThrow(SnapshotFormatError);
    expect(() => keyedStateFromText([lines[0], '[0,"undeclared","[1]","",1]', '{"end":true,"entries":1}'].join('\n'))).toThrow(
      /line 2: entry of state 'undeclared'/,
    );
  });
});

describe('the binary encoding of checkpoints (snapshot-binary.ts)', () => {
  /** A snapshot's file in the binary encoding, its pieces copied (the encoder reuses its buffer). */
  function binaryOf(backend: KeyedStateBackend): { binary: Buffer; text: string } {
    const snapshot = snapshotWithTimers(backend, fill(backend), false);
    const binary = Buffer.concat([...binaryKeyedState(snapshot)].map((piece) => Buffer.from(piece)));
    const text = keyedStateToText(snapshot);
    snapshot.release();
    return { binary, text };
  }

  it.each(BACKEND_TYPES)('holds exactly what the JSON lines of the %s backend hold, entry for entry', (type) => {
    const backend = backends.create(type);
    // Values JSON cannot spell, non-ASCII and lone-surrogate strings, nested objects.
    backend.register('odd', 'value');
    backend.put('odd', 3, '["é"]', 'ns\u00e9', { nan: NaN, negZero: -0, inf: [-Infinity], lone: '\ud800x', deep: { a: [1, 'ü', null] } });
    const { binary, text } = binaryOf(backend);
    const fromBinary = parseKeyedStateFile(binary);
    expect(fromBinary).toEqual(keyedStateFromText(text));
    expect(Object.is((fromBinary.entries.find((e) => e.state === 'odd')!.value as { negZero: number }).negZero, -0)).toBe(true);
    // Either encoding is recognised by its first bytes.
    expect(parseKeyedStateFile(Buffer.from(text))).toEqual(fromBinary);
  });

  it('refuses a truncated file and a record whose content does not fit its length, naming the record', () => {
    const backend = backends.create('memory');
    const { binary } = binaryOf(backend);
    expect(() => parseKeyedStateFile(binary.subarray(0, binary.length - 3))).toThrow(/^keyed state snapshot, record \d+: truncated: no end record$/);
    const header = binary.readUInt32LE(24);
    // The first entry's length one byte short: its value runs past it.
    const damaged = Buffer.from(binary);
    const first = 24 + 4 + header;
    damaged.writeUInt32LE(damaged.readUInt32LE(first) - 1, first);
    expect(() => parseKeyedStateFile(damaged)).toThrow(/^keyed state snapshot, record 2: /);
  });
});

function sortByKey(rows: unknown[]): unknown[] {
  return [...rows].sort((a, b) => (JSON.stringify((a as unknown[])[0]) < JSON.stringify((b as unknown[])[0]) ? -1 : 1));
}
