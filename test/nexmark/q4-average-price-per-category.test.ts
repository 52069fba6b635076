// Stacked continuous aggregates over a join: the second aggregate consumes the first's retractions.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q4 } from './reference/q4.js';

describe('nexmark q4', () => {
  itMatchesReference('q4', q4, { output: 'updating', minRows: 5 });
});
