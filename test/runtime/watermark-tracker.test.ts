import { describe, expect, it } from 'vitest';
import { WatermarkTracker } from '../../runtime/time/watermark-tracker.js';

describe('combining watermarks of several inputs', () => {
  it('is the minimum over inputs and never goes back', () => {
    const t = new WatermarkTracker(3);
    t.onWatermark(0, 10);
    t.onWatermark(1, 20);
    expect(t.current).toBe(-Infinity);
    t.onWatermark(2, 5);
    expect(t.current).toBe(5);
    t.onWatermark(2, 30);
    expect(t.current).toBe(10);
    t.onWatermark(0, 3);
    expect(t.current).toBe(10);
    expect(t.watermarkOf(0)).toBe(10);
  });

  it('excludes idle inputs, and includes them again once active', () => {
    const t = new WatermarkTracker(2);
    t.onWatermark(0, 100);
    t.onStatus(1, true);
    expect(t.current).toBe(100);
    expect(t.idle).toBe(false);
    t.onStatus(1, false);
    t.onWatermark(0, 200);
    // Input 1 is active again at -Infinity; the combined watermark holds (it never goes back).
    expect(t.current).toBe(100);
    t.onWatermark(1, 150);
    expect(t.current).toBe(150);
  });

  it('when every input is idle, advances to the highest of them and is idle', () => {
    const t = new WatermarkTracker(2);
    t.onWatermark(0, 10);
    t.onWatermark(1, 40);
    t.onStatus(0, true);
    expect(t.current).toBe(40);
    t.onStatus(1, true);
    expect(t.idle).toBe(true);
    expect(t.current).toBe(40);
    t.onWatermark(0, 50);
    expect(t.idle).toBe(false);
    expect(t.isIdle(0)).toBe(false);
  });

  it('treats ended inputs as +Infinity and reaches +Infinity when all end', () => {
    const t = new WatermarkTracker(2);
    t.onWatermark(0, 7);
    t.onEnd(1);
    expect(t.current).toBe(7);
    t.onEnd(0);
    expect(t.current).toBe(Infinity);
    expect(t.idle).toBe(false);
  });
});
