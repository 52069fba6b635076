// DECIMAL arithmetic: 0.908 * price must be exact to three digits, not a float product.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q1 } from './reference/q1.js';

describe('nexmark q1', () => {
  itMatchesReference('q1', q1, { output: 'append', minRows: 30000 });
});
