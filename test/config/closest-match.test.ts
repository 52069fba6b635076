import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../compiler/config/closest-match.js';

const keys = ['pipeline.name', 'parallelism.default', 'execution.checkpointing.interval', 'execution.checkpointing.mode'];

describe('closestMatch', () => {
  it('finds a small misspelling', () => {
    expect(closestMatch('pipline.name', keys)).toBe('pipeline.name');
    expect(closestMatch('execution.checkpointing.intervall', keys)).toBe('execution.checkpointing.interval');
  });

  it('counts two swapped letters as one edit', () => {
    expect(closestMatch('tabel', ['table', 'events', 'rate'])).toBe('table');
  });

  it('prefers a match that differs only in case', () => {
    expect(closestMatch('Pipeline.Name', keys)).toBe('pipeline.name');
  });

  it('finds a key written without its leading groups', () => {
    expect(closestMatch('checkpointing.interval', keys)).toBe('execution.checkpointing.interval');
  });

  it('suggests nothing for a word far from every candidate', () => {
    expect(closestMatch('banana', keys)).toBeUndefined();
    expect(closestMatch('x', [])).toBeUndefined();
  });
});
