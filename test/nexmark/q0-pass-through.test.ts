// Every bid reaches the sink unchanged (Flink's five columns).
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';
import { q0 } from './reference/q0.js';

describe('nexmark q0', () => {
  itMatchesReference('q0', q0, { output: 'append', minRows: 30000 });
});
