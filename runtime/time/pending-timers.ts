import { indicesByKeyGroup, rangeSize, type KeyGroupRange } from '../state/key-groups.js';
import type { TimeDomain, TimerEntry } from './timer-service.js';
import type { TimerGroup } from './window-timers.js';

/** Takes one pending timer's fields. */
export type TimerVisitor = (keyGroup: number, encodedKey: string, domain: TimeDomain, namespace: string, timestamp: number) => void;

/**
 * The timers pending when a snapshot was taken (`TimerService.snapshotTimers`), with no object per timer: the
 * heap's timers, objects whose fields never change once registered, and per window group a copy of its pending
 * flags. A group's columns only grow and its flags only clear (firing, deleting), so the positions below a copy's
 * length keep their keys: the copy is the group as it was. A q5 base holds ~28 K window timers; an entry object
 * each, kept until the file was written, was garbage the old generation had to collect every checkpoint.
 */
export class PendingTimers {
  /** How many timers are pending. */
  readonly size: number;

  constructor(
    private readonly queued: readonly TimerEntry[],
    private readonly groups: readonly TimerGroup[],
    private readonly flags: readonly Uint8Array[],
  ) {
    let size = queued.length;
    for (const pending of flags) for (let at = 0; at < pending.length; at++) size += pending[at]!;
    this.size = size;
  }

  /** Visits every pending timer: the heap's, then the groups' in order. */
  forEach(visit: TimerVisitor): void {
    for (const timer of this.queued) visitQueued(timer, visit);
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g]!;
      const pending = this.flags[g]!;
      for (let at = 0; at < pending.length; at++) if (pending[at] === 1) visitWindowTimer(group, at, visit);
    }
  }

  /** Every pending timer as an entry object, in `forEach`'s order. */
  entries(): TimerEntry[] {
    const entries: TimerEntry[] = [];
    this.forEach((keyGroup, encodedKey, domain, namespace, timestamp) => entries.push({ timestamp, namespace, domain, encodedKey, keyGroup }));
    return entries;
  }

  /**
   * The timers in key-group and domain order (a checkpoint's base: event time first, as '__timers.event' sorts
   * before '__timers.processing'), by a counting sort that keeps `forEach`'s order within a bucket.
   */
  inKeyGroupOrder(range: KeyGroupRange): TimersInKeyGroupOrder {
    const queued = this.queued;
    const buckets = new Uint32Array(this.size);
    // Timer i >= queued.length is position at[j] of group groupOf[j], j = i - queued.length.
    const groupOf = new Uint32Array(this.size - queued.length);
    const at = new Uint32Array(this.size - queued.length);
    for (let i = 0; i < queued.length; i++) buckets[i] = bucketOf(queued[i]!.keyGroup, queued[i]!.domain, range);
    let j = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const keyGroups = this.groups[g]!.keyGroups;
      const pending = this.flags[g]!;
      for (let p = 0; p < pending.length; p++) {
        if (pending[p] !== 1) continue;
        buckets[queued.length + j] = bucketOf(keyGroups[p]!, 'event', range);
        groupOf[j] = g;
        at[j++] = p;
      }
    }
    const order = indicesByKeyGroup(buckets, { start: 0, end: 2 * rangeSize(range) - 1 });
    return new TimersInKeyGroupOrder(range, order, buckets, queued, this.groups, groupOf, at);
  }
}

/** A timer's place in key-group and domain order: (key group - range start) * 2, plus 1 for processing time. */
export function bucketOf(keyGroup: number, domain: TimeDomain, range: KeyGroupRange): number {
  return (keyGroup - range.start) * 2 + (domain === 'event' ? 0 : 1);
}

/** `PendingTimers` in key-group and domain order, read by position. */
export class TimersInKeyGroupOrder {
  readonly length: number;

  constructor(
    readonly range: KeyGroupRange,
    private readonly order: Uint32Array,
    private readonly buckets: Uint32Array,
    private readonly queued: readonly TimerEntry[],
    private readonly groups: readonly TimerGroup[],
    private readonly groupOf: Uint32Array,
    private readonly at: Uint32Array,
  ) {
    this.length = order.length;
  }

  /** The `bucketOf` of the n-th timer. */
  bucket(n: number): number {
    return this.buckets[this.order[n]!]!;
  }

  /** Visits the n-th timer. */
  visit(n: number, visit: TimerVisitor): void {
    const i = this.order[n]!;
    const queued = this.queued;
    if (i < queued.length) visitQueued(queued[i]!, visit);
    else visitWindowTimer(this.groups[this.groupOf[i - queued.length]!]!, this.at[i - queued.length]!, visit);
  }
}

function visitQueued(timer: TimerEntry, visit: TimerVisitor): void {
  visit(timer.keyGroup, timer.encodedKey, timer.domain, timer.namespace, timer.timestamp);
}

/** The pending timer at position `at` of a window group (always event time). */
function visitWindowTimer(group: TimerGroup, at: number, visit: TimerVisitor): void {
  visit(group.keyGroups[at]!, group.encodedKeys[at]!, 'event', group.namespace, group.timestamp);
}
