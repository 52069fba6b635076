// Hop windows, a window aggregate over a window aggregate, and a window join on their bounds.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q5 } from './reference/q5.js';

describe('nexmark q5', () => {
  itMatchesReference('q5', q5, { output: 'append', minRows: 50 });
});
