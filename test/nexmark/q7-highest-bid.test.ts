// An interval join of bids with their tumbling window's highest price.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q7 } from './reference/q7.js';

describe('nexmark q7', () => {
  itMatchesReference('q7', q7, { output: 'append', minRows: 10 });
});
