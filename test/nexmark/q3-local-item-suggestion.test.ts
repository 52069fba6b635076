// A regular join of two filtered append streams that keeps both sides.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q3 } from './reference/q3.js';

describe('nexmark q3', () => {
  itMatchesReference('q3', q3, { output: 'append', minRows: 100 });
});
