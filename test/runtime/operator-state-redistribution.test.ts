import { describe, expect, it } from 'vitest';
import { OperatorStateStore, redistributeOperatorState, type OperatorStateList } from '../../runtime/state/operator-state.js';

describe('operator list state', () => {
  it('snapshots copies: later changes do not show in a taken snapshot', () => {
    const store = new OperatorStateStore();
    const state = store.getListState<number>('offsets', 'split');
    state.addAll([1, 2]);
    const snapshot = store.snapshot();
    state.add(3);
    expect(snapshot).toEqual([{ name: 'offsets', redistribution: 'split', items: [1, 2] }]);
    expect(state.get()).toEqual([1, 2, 3]);
  });

  it('restores lists before they are opened', () => {
    const store = new OperatorStateStore();
    store.restore([{ name: 'offsets', redistribution: 'split', items: ['a'] }]);
    expect(store.getListState<string>('offsets', 'split').get()).toEqual(['a']);
  });

  const previous: OperatorStateList[][] = [
    [
      { name: 'splits', redistribution: 'split', items: ['s0', 's1', 's2'] },
      { name: 'all', redistribution: 'union', items: ['u0'] },
    ],
    [
      { name: 'splits', redistribution: 'split', items: ['s3', 's4'] },
      { name: 'all', redistribution: 'union', items: ['u1'] },
    ],
  ];

  it('deals the union of the old lists round robin on rescale; a subtask may get nothing', () => {
    const three = redistributeOperatorState(previous, 3);
    expect(three.map((lists) => lists.find((l) => l.name === 'splits')!.items)).toEqual([['s0', 's3'], ['s1', 's4'], ['s2']]);
    const six = redistributeOperatorState(previous, 6);
    expect(six.map((lists) => lists.find((l) => l.name === 'splits')!.items)).toEqual([['s0'], ['s1'], ['s2'], ['s3'], ['s4'], []]);
    const one = redistributeOperatorState(previous, 1);
    expect(one[0]!.find((l) => l.name === 'splits')!.items).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('gives every subtask the whole union list', () => {
    const three = redistributeOperatorState(previous, 3);
    for (const lists of three) expect(lists.find((l) => l.name === 'all')!.items).toEqual(['u0', 'u1']);
  });

  it('keeps each subtask its own lists at the same parallelism', () => {
    expect(redistributeOperatorState(previous, 2)).toEqual(previous);
  });
});
