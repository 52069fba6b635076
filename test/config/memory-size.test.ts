import { describe, expect, it } from 'vitest';
import { parseMemorySize } from '../../compiler/config/memory-size.js';

describe('parseMemorySize', () => {
  it.each([
    ['128MB', 128 * 1024 ** 2],
    ['64 kb', 64 * 1024],
    ['1g', 1024 ** 3],
    ['4096', 4096],
    ['10 bytes', 10],
  ])('reads %j as %d bytes (binary units, as Flink)', (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes);
  });

  it.each(['', 'MB', '1.5 mb', '12 parsecs', '-1 kb'])('rejects %j', (text) => {
    expect(parseMemorySize(text)).toBeUndefined();
  });
});
