// A filter on a computed predicate; few rows pass.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q2 } from './reference/q2.js';

describe('nexmark q2', () => {
  itMatchesReference('q2', q2, { output: 'append', minRows: 50 });
});
