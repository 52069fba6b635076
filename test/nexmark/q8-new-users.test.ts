// A window join of two tumbling window aggregates.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q8 } from './reference/q8.js';

describe('nexmark q8', () => {
  itMatchesReference('q8', q8, { output: 'append', minRows: 100 });
});
