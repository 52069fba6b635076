import { compareCodePoints, encodeMapKey } from '../state/key-codec.js';
import type { KeyChange, KeyedStateBackend, KeyedStateDelta, KeyedStateSnapshot, StateEntry, StateEntrySink } from '../state/keyed-state-backend.js';
import { bucketOf, type TimersInKeyGroupOrder, type TimerVisitor } from './pending-timers.js';
import { TIMER_STATES, type TimeDomain, type TimerEntry, type TimerService } from './timer-service.js';

/**
 * The synchronous part of a full keyed snapshot of an operator subtask: the backend's frozen view and a copy of
 * the pending timers (the timer objects never change, only which are pending), whose `entries()` are the
 * backend's with the timers merged in as `__timers.*` map entries, in canonical order (a base: in key-group and
 * state order, as the backend's). Snapshots therefore read as when the backend held the timers.
 */
export function snapshotWithTimers(backend: KeyedStateBackend, timers: TimerService, asBase: boolean): KeyedStateSnapshot {
  const snapshot = backend.snapshot(asBase);
  const pending = timers.snapshotTimers(asBase);
  const writeEntries = asBase ? snapshot.writeEntries?.bind(snapshot) : undefined;
  return {
    keyGroupRange: snapshot.keyGroupRange,
    maxParallelism: snapshot.maxParallelism,
    layouts: snapshot.layouts,
    entries: () => mergeEntries(snapshot.entries(), asBase ? timerEntriesByKeyGroup(pending.inKeyGroupOrder(snapshot.keyGroupRange)) : sortedTimerEntries(pending.entries())),
    ...(writeEntries === undefined ? {} : { writeEntries: (sink: StateEntrySink) => writeMergedEntries(writeEntries, pending.inKeyGroupOrder(snapshot.keyGroupRange), sink) }),
    release: () => snapshot.release(),
  };
}

/**
 * `mergeEntries` for a base written through `writeEntries`: the timers (in key-group and state order) go to
 * `sink` before the first stored entry they come before, with no StateEntry per entry or timer. Stored entries
 * come bucket by bucket (key group, then state), so the timers are looked at when the bucket changes only.
 */
function* writeMergedEntries(writeStored: NonNullable<KeyedStateSnapshot['writeEntries']>, timers: TimersInKeyGroupOrder, sink: StateEntrySink): Generator<void, void, undefined> {
  const writeTimer: TimerVisitor = (keyGroup, encodedKey, domain, namespace, timestamp) => sink.entry(keyGroup, encodedKey, TIMER_STATES[domain], namespace, null, timestamp);
  let next = 0;
  let lastGroup = -1;
  let lastState: string | undefined;
  let stateRank = 0;
  const merging: StateEntrySink = {
    entry(keyGroup, key, state, namespace, value, mapKey) {
      if (keyGroup !== lastGroup || state !== lastState) {
        if (state !== lastState) stateRank = timerStatesBefore(state);
        lastGroup = keyGroup;
        lastState = state;
        // The timers of earlier key groups, and of this one those whose state sorts before `state`.
        const limit = bucketOf(keyGroup, 'event', timers.range) + stateRank;
        while (next < timers.length && timers.bucket(next) < limit) timers.visit(next++, writeTimer);
      }
      sink.entry(keyGroup, key, state, namespace, value, mapKey);
    },
    full: () => sink.full(),
  };
  yield* writeStored(merging);
  while (next < timers.length) {
    timers.visit(next++, writeTimer);
    if (sink.full()) yield;
  }
}

/** How many of the timer states sort before `state` (0, 1 or 2): where a key group's timers go among its states. */
function timerStatesBefore(state: string): number {
  return (compareCodePoints(TIMER_STATES.event, state) < 0 ? 1 : 0) + (compareCodePoints(TIMER_STATES.processing, state) < 0 ? 1 : 0);
}

/**
 * The synchronous part of an incremental checkpoint: the backend's delta, told which keys' timers changed, and
 * a copy of the timers of every key in it (a key's change replaces all its entries, timers included). Undefined
 * when the backend or the timer service has no base to compare with (take `snapshotWithTimers(…, true)`).
 */
export function snapshotChangesWithTimers(backend: KeyedStateBackend, timers: TimerService): KeyedStateDelta | undefined {
  const timersChanged = timers.takeChangedKeys();
  if (timersChanged === undefined || backend.snapshotChanges === undefined) return undefined;
  const delta = backend.snapshotChanges(timersChanged);
  if (delta === undefined) return undefined;
  const timersByKey = new Map<string, TimerEntry[]>();
  // A visit of every changed key (a continuous aggregate's hundreds of thousands) only where there are timers.
  if (!timers.isEmpty) {
    delta.forEachChangedKey((key) => {
      if (timersByKey.has(key)) return;
      const own = timers.timersOfKey(key, true);
      if (own.length > 0) timersByKey.set(key, own);
    });
  }
  return {
    keyGroupRange: delta.keyGroupRange,
    maxParallelism: delta.maxParallelism,
    layouts: delta.layouts,
    changes: function* (): Generator<KeyChange> {
      for (const change of delta.changes()) {
        const own = timersByKey.get(change.key);
        if (own === undefined) yield change;
        else yield { keyGroup: change.keyGroup, key: change.key, entries: change.entries.concat(own.map(timerEntry)) };
      }
    },
    forEachChangedKey: (visit) => delta.forEachChangedKey(visit),
    release: () => delta.release(),
  };
}

/** Timers as snapshot entries, in canonical order (key group, state, key, namespace, encoded map key). */
function sortedTimerEntries(timers: readonly TimerEntry[]): StateEntry[] {
  const sortable = timers.map((timer) => ({ timer, state: TIMER_STATES[timer.domain], mapKey: encodeMapKey(timer.timestamp) }));
  sortable.sort(
    (a, b) =>
      a.timer.keyGroup - b.timer.keyGroup ||
      compareCodePoints(a.state, b.state) ||
      compareCodePoints(a.timer.encodedKey, b.timer.encodedKey) ||
      compareCodePoints(a.timer.namespace, b.timer.namespace) ||
      compareCodePoints(a.mapKey, b.mapKey),
  );
  return sortable.map(({ timer }) => timerEntry(timer));
}

/** Timers as snapshot entries in key-group and state order only, what a checkpoint's base needs. */
function timerEntriesByKeyGroup(timers: TimersInKeyGroupOrder): StateEntry[] {
  const entries: StateEntry[] = [];
  const push: TimerVisitor = (keyGroup, key, domain, namespace, timestamp) => entries.push(timerStateEntry(keyGroup, key, domain, namespace, timestamp));
  for (let n = 0; n < timers.length; n++) timers.visit(n, push);
  return entries;
}

function timerEntry(timer: TimerEntry): StateEntry {
  return timerStateEntry(timer.keyGroup, timer.encodedKey, timer.domain, timer.namespace, timer.timestamp);
}

/** A timer as a snapshot entry: a map entry of its domain's state under its key, keyed by its timestamp. */
function timerStateEntry(keyGroup: number, key: string, domain: TimeDomain, namespace: string, timestamp: number): StateEntry {
  return { state: TIMER_STATES[domain], keyGroup, key, namespace, value: null, hasMapKey: true, mapKey: timestamp };
}

/**
 * Two streams of entries in canonical order merged into one. The backend holds no timer state, so a key group's
 * entries of one state come from one stream only: comparing key group and state is enough.
 */
function* mergeEntries(stored: Iterable<StateEntry>, timers: readonly StateEntry[]): Generator<StateEntry> {
  let next = 0;
  for (const entry of stored) {
    while (next < timers.length && comesBefore(timers[next]!, entry)) yield timers[next++]!;
    yield entry;
  }
  while (next < timers.length) yield timers[next++]!;
}

function comesBefore(a: StateEntry, b: StateEntry): boolean {
  return a.keyGroup < b.keyGroup || (a.keyGroup === b.keyGroup && compareCodePoints(a.state, b.state) < 0);
}
