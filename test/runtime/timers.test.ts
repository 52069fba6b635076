import { afterEach, describe, expect, it } from 'vitest';
import { CurrentKey } from '../../runtime/state/current-key.js';
import { TimerService, type Timer } from '../../runtime/time/timer-service.js';
import { BACKEND_TYPES, TestBackends } from './state-test-backends.js';

const backends = new TestBackends();
afterEach(() => backends.disposeAll());

describe.each(BACKEND_TYPES)('timers on the %s backend', (type) => {
  function setup() {
    const backend = backends.create(type);
    const key = new CurrentKey(128, backend.keyGroupRange, 'timers');
    return { key, timers: new TimerService(backend, key) };
  }
  const describeTimer = (t: Timer) => `${t.domain}:${t.timestamp}:${JSON.stringify(t.key)}:${t.namespace}`;

  it('fires event-time timers in timestamp order once the watermark reaches them, with their key set', () => {
    const { key, timers } = setup();
    for (const [k, ts] of [['b', 30], ['a', 10], ['c', 20], ['a', 40]] as const) {
      key.set([k]);
      timers.registerEventTimeTimer(ts, 'w');
    }
    const fired: string[] = [];
    const fire = (t: Timer) => fired.push(`${describeTimer(t)} current=${JSON.stringify(key.key)}`);
    timers.advanceWatermark(9, fire);
    expect(fired).toEqual([]);
    timers.advanceWatermark(30, fire);
    expect(fired).toEqual([
      'event:10:["a"]:w current=["a"]',
      'event:20:["c"]:w current=["c"]',
      'event:30:["b"]:w current=["b"]',
    ]);
    timers.advanceWatermark(Infinity, fire);
    expect(fired).toHaveLength(4);
  });

  it('registers a (key, namespace, timestamp) once and skips deleted timers', () => {
    const { key, timers } = setup();
    key.set([1]);
    timers.registerEventTimeTimer(5);
    timers.registerEventTimeTimer(5);
    timers.registerEventTimeTimer(5, 'other');
    timers.registerEventTimeTimer(6);
    timers.deleteEventTimeTimer(6);
    const fired: string[] = [];
    timers.advanceWatermark(100, (t) => fired.push(describeTimer(t)));
    expect(fired).toEqual(['event:5:[1]:', 'event:5:[1]:other']);
  });

  it('orders timers of equal timestamp by key, the same in every run', () => {
    const { key, timers } = setup();
    for (const k of ['z', 'm', 'a']) {
      key.set([k]);
      timers.registerEventTimeTimer(1);
    }
    const fired: string[] = [];
    timers.advanceWatermark(1, (t) => fired.push(t.key[0] as string));
    expect(fired).toEqual(['a', 'm', 'z']);
  });

  it('fires a timer registered while firing when it is already due', () => {
    const { key, timers } = setup();
    key.set(['k']);
    timers.registerEventTimeTimer(1);
    const fired: number[] = [];
    timers.advanceWatermark(10, (t) => {
      fired.push(t.timestamp);
      if (t.timestamp === 1) timers.registerEventTimeTimer(5);
    });
    expect(fired).toEqual([1, 5]);
  });

  it('keeps processing-time timers apart and fires them by the clock', () => {
    const { key, timers } = setup();
    key.set(['k']);
    timers.registerProcessingTimeTimer(1000);
    timers.registerEventTimeTimer(1000);
    expect(timers.nextProcessingTime()).toBe(1000);
    const fired: string[] = [];
    timers.advanceProcessingTime(999, (t) => fired.push(describeTimer(t)));
    timers.advanceProcessingTime(1000, (t) => fired.push(describeTimer(t)));
    expect(fired).toEqual(['processing:1000:["k"]:']);
    expect(timers.nextProcessingTime()).toBeUndefined();
  });
});
