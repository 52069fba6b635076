import { describe, expect, it } from 'vitest';
import { BarrierAligner } from '../../runtime/checkpoint/barrier-alignment.js';

const started = (checkpointId: number) => ({ type: 'started', checkpointId });
const block = (channel: number) => ({ type: 'block', channel });
const snapshot = (checkpointId: number, record: number[] = []) => ({ type: 'snapshot', checkpointId, record });
const recorded = (channel: number) => ({ type: 'recorded', channel });
const persist = (checkpointId: number) => ({ type: 'persist', checkpointId });
const unblockAll = { type: 'unblock-all' };
const abort = (checkpointId: number, reason: 'subsumed' | 'cancelled') => ({ type: 'abort', checkpointId, reason });

describe('exactly-once barrier alignment', () => {
  it('blocks each channel that delivered the barrier until every channel has, then snapshots and unblocks', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    expect(aligner.onBarrier(0, 1)).toEqual([started(1), block(0)]);
    expect(aligner.isBlocked(0)).toBe(true);
    expect(aligner.allArrived()).toBe(false);
    expect(aligner.onBarrier(2, 1)).toEqual([block(2)]);
    expect(aligner.pendingCheckpoint).toBe(1);
    expect(aligner.onBarrier(1, 1)).toEqual([snapshot(1), unblockAll]);
    expect([0, 1, 2].map((c) => aligner.isBlocked(c))).toEqual([false, false, false]);
    expect(aligner.pendingCheckpoint).toBeUndefined();
  });

  it('snapshots at once with a single input channel, blocking nothing', () => {
    const aligner = new BarrierAligner(1, 'EXACTLY_ONCE');
    expect(aligner.onBarrier(0, 7)).toEqual([started(7), snapshot(7)]);
  });

  it('ignores obsolete barriers: of the checkpoint just taken, and of older ones', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 2);
    aligner.onBarrier(1, 2);
    expect(aligner.onBarrier(0, 2)).toEqual([]);
    expect(aligner.onBarrier(1, 1)).toEqual([]);
    expect(aligner.isBlocked(0)).toBe(false);
  });

  it('lets a newer barrier subsume the checkpoint aligning: the older one is aborted and its barriers become obsolete', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 1);
    expect(aligner.onBarrier(1, 2)).toEqual([abort(1, 'subsumed'), unblockAll, started(2), block(1)]);
    expect(aligner.isBlocked(0)).toBe(false);
    expect(aligner.onBarrier(2, 1)).toEqual([]);
    expect(aligner.onBarrier(0, 2)).toEqual([block(0)]);
    expect(aligner.onBarrier(2, 2)).toEqual([snapshot(2), unblockAll]);
  });

  it('counts a channel whose input ended during alignment as arrived', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 3);
    expect(aligner.onEndOfInput(1)).toEqual([snapshot(3), unblockAll]);
  });

  it('counts a channel that ended before any barrier as arrived for every later checkpoint', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    expect(aligner.onEndOfInput(2)).toEqual([]);
    expect(aligner.onBarrier(0, 1)).toEqual([started(1), block(0)]);
    expect(aligner.onBarrier(1, 1)).toEqual([snapshot(1), unblockAll]);
    expect(aligner.onEndOfInput(0)).toEqual([]);
    expect(aligner.onBarrier(1, 2)).toEqual([started(2), snapshot(2)]);
  });

  it('stops aligning on a cancellation marker, forwards the abort once, and ignores that checkpoint afterwards', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 4);
    expect(aligner.onCancellationMarker(4)).toEqual([abort(4, 'cancelled'), unblockAll]);
    expect(aligner.onCancellationMarker(4)).toEqual([]);
    expect(aligner.onBarrier(1, 4)).toEqual([]);
    expect(aligner.onBarrier(1, 5)).toEqual([started(5), block(1)]);
  });

  it('forwards a marker for a checkpoint not aligning yet, so its barriers are ignored when they come', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    expect(aligner.onCancellationMarker(6)).toEqual([abort(6, 'cancelled')]);
    expect(aligner.onBarrier(0, 6)).toEqual([]);
    expect(aligner.isBlocked(0)).toBe(false);
  });

  it('gives up an expired checkpoint the coordinator aborted, and the next one proceeds', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    aligner.onBarrier(1, 8);
    expect(aligner.abort(8)).toEqual([abort(8, 'cancelled'), unblockAll]);
    expect(aligner.onBarrier(0, 8)).toEqual([]);
    expect(aligner.onBarrier(0, 9)).toEqual([started(9), block(0)]);
    expect(aligner.onBarrier(1, 9)).toEqual([snapshot(9), unblockAll]);
  });
});

describe('at-least-once barrier tracking', () => {
  it('never blocks and snapshots when the last barrier arrives', () => {
    const aligner = new BarrierAligner(2, 'AT_LEAST_ONCE');
    expect(aligner.onBarrier(0, 1)).toEqual([started(1)]);
    expect(aligner.isBlocked(0)).toBe(false);
    expect(aligner.onBarrier(1, 1)).toEqual([snapshot(1)]);
  });

  it('counts concurrent checkpoints at once, each completing in turn', () => {
    const aligner = new BarrierAligner(2, 'AT_LEAST_ONCE');
    aligner.onBarrier(0, 1);
    expect(aligner.onBarrier(0, 2)).toEqual([started(2)]);
    expect(aligner.onBarrier(1, 1)).toEqual([snapshot(1)]);
    expect(aligner.onBarrier(1, 2)).toEqual([snapshot(2)]);
  });

  it('aborts older checkpoints still counting when a newer one completes', () => {
    const aligner = new BarrierAligner(2, 'AT_LEAST_ONCE');
    aligner.onBarrier(0, 1);
    aligner.onBarrier(1, 2);
    expect(aligner.onBarrier(0, 2)).toEqual([abort(1, 'subsumed'), snapshot(2)]);
    expect(aligner.onBarrier(1, 1)).toEqual([]);
  });

  it('snapshots the newest checkpoint that an end of input completes', () => {
    const aligner = new BarrierAligner(3, 'AT_LEAST_ONCE');
    aligner.onBarrier(0, 1);
    aligner.onBarrier(1, 1);
    aligner.onBarrier(0, 2);
    aligner.onBarrier(1, 2);
    expect(aligner.onEndOfInput(2)).toEqual([abort(1, 'subsumed'), snapshot(2)]);
  });
});

describe('unaligned barriers (exactly once)', () => {
  it('snapshots at the first barrier, blocks nothing, records the other channels until their barrier, then persists', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    expect(aligner.onBarrier(1, 1, true)).toEqual([started(1), snapshot(1, [0, 2])]);
    expect([0, 1, 2].map((c) => aligner.isBlocked(c))).toEqual([false, false, false]);
    expect(aligner.onBarrier(0, 1, true)).toEqual([recorded(0)]);
    expect(aligner.pendingCheckpoint).toBe(1);
    expect(aligner.onBarrier(2, 1, true)).toEqual([recorded(2), persist(1)]);
    expect(aligner.pendingCheckpoint).toBeUndefined();
    expect(aligner.onBarrier(2, 1, true)).toEqual([]);
  });

  it('snapshots a single channel at once with nothing to record', () => {
    const aligner = new BarrierAligner(1, 'EXACTLY_ONCE');
    expect(aligner.onBarrier(0, 4, true)).toEqual([started(4), snapshot(4)]);
  });

  it('switches an aligning checkpoint to unaligned when its timeout runs out: unblocks and records the channels still missing', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    expect(aligner.onBarrier(0, 5)).toEqual([started(5), block(0)]);
    expect(aligner.onAlignmentTimeout(4)).toEqual([]);
    expect(aligner.onAlignmentTimeout(5)).toEqual([snapshot(5, [1, 2]), unblockAll]);
    expect(aligner.onAlignmentTimeout(5)).toEqual([]);
    expect(aligner.isBlocked(0)).toBe(false);
    expect(aligner.onEndOfInput(1)).toEqual([recorded(1)]);
    expect(aligner.onBarrier(2, 5)).toEqual([recorded(2), persist(5)]);
  });

  it('switches an aligning checkpoint when a later barrier of it comes unaligned', () => {
    const aligner = new BarrierAligner(3, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 2);
    expect(aligner.onBarrier(1, 2, true)).toEqual([snapshot(2, [2]), unblockAll]);
    expect(aligner.onBarrier(2, 2)).toEqual([recorded(2), persist(2)]);
  });

  it('aborts a recording checkpoint that a newer barrier subsumes, or that is cancelled', () => {
    const aligner = new BarrierAligner(2, 'EXACTLY_ONCE');
    aligner.onBarrier(0, 1, true);
    expect(aligner.onBarrier(0, 2, true)).toEqual([abort(1, 'subsumed'), started(2), snapshot(2, [1])]);
    expect(aligner.onBarrier(1, 1, true)).toEqual([]);
    expect(aligner.onCancellationMarker(2)).toEqual([abort(2, 'cancelled')]);
    expect(aligner.onBarrier(1, 2, true)).toEqual([]);
  });

  it('never snapshots unaligned in AT_LEAST_ONCE mode', () => {
    const aligner = new BarrierAligner(2, 'AT_LEAST_ONCE');
    expect(aligner.onBarrier(0, 1, true)).toEqual([started(1)]);
    expect(aligner.onAlignmentTimeout(1)).toEqual([]);
    expect(aligner.onBarrier(1, 1, true)).toEqual([snapshot(1)]);
  });
});
