// The Nexmark examples run end to end on the nexmark source and give their references' results. One file rather
// than one per query: each test file pays for loading the compiler and the runtime again.
import { describe } from 'vitest';
import { itMatchesReference } from './query-harness.js';

describe('nexmark q0: every bid reaches the sink (Flink\'s five columns)', () => {
  itMatchesReference('q0', { output: 'append', minRows: 30_000 });
});

describe('nexmark q1: 0.908 * price is DECIMAL arithmetic, exact to three digits', () => {
  itMatchesReference('q1', { output: 'append', minRows: 30_000 });
});

describe('nexmark q2: a filter that few rows pass', () => {
  itMatchesReference('q2', { output: 'append', minRows: 50 });
});

describe('nexmark q3: a regular join of two filtered append streams', () => {
  itMatchesReference('q3', { output: 'append', minRows: 100 });
});

describe("nexmark q4: stacked continuous aggregates over a join, the second consuming the first's retractions", () => {
  itMatchesReference('q4', { output: 'updating', minRows: 5 });
});

describe('nexmark q5: hop windows, a window aggregate over a window aggregate, a window join on their bounds', () => {
  itMatchesReference('q5', { output: 'append', minRows: 50 });
});

describe("nexmark q7: an interval join of bids with their tumbling window's highest price", () => {
  itMatchesReference('q7', { output: 'append', minRows: 10 });
});

describe('nexmark q8: a window join of two tumbling window aggregates', () => {
  itMatchesReference('q8', { output: 'append', minRows: 100 });
});
