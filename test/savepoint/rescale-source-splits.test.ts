import { beforeAll, describe, expect, it } from 'vitest';
import type { Operator } from '../../compiler/graph/job-graph.js';
import type { SourceConnector } from '../../runtime/connectors/source-connector.js';
import { generatorSplits } from '../../runtime/connectors/generators/indexed-split.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { OperatorContext } from '../../runtime/operators/operator.js';
import { SOURCE_SPLITS_STATE, SourceOperatorImpl, type SplitState } from '../../runtime/operators/source.js';
import { OperatorStateStore, redistributeOperatorState, type OperatorStateList } from '../../runtime/state/operator-state.js';
import { compilePipe } from '../operators/run-pipe.js';

/** What a source subtask restored at `parallelism` is dealt of `previous` (one splits list per old subtask). */
function dealt(previous: readonly (readonly SplitState[])[], parallelism: number): OperatorStateList[][] {
  const lists = previous.map((items) => [{ name: SOURCE_SPLITS_STATE.name, redistribution: 'split' as const, items }]);
  return redistributeOperatorState(lists, parallelism);
}

const sourceOperator = (() => {
  const graph = compilePipe(`
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '1000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bid;`);
  return graph.operators.find((op) => op.spec.kind === 'source')!;
})();

/** A restored source subtask over `connector` with a hand-made context that records what it emits. */
async function openRestored(connector: SourceConnector, restored: OperatorStateList[], subtask: number, parallelism: number) {
  const store = new OperatorStateStore();
  store.restore(restored);
  const rows: unknown[][] = [];
  const idle: boolean[] = [];
  const ctx = {
    subtask,
    parallelism,
    isRestored: true,
    clock: { now: () => 0 },
    metrics: { parseErrorsSkipped: 0 },
    getOperatorListState: (name: string) => store.getListState(name, 'split'),
    setRecordOrigin: () => {},
    output: (batch: { rows: unknown[][] }) => rows.push(...batch.rows),
    emitWatermark: () => {},
    emitIdle: (value: boolean) => idle.push(value),
  } as unknown as OperatorContext;
  const source = new SourceOperatorImpl(sourceOperator as Operator, { connector, udfs: new Map(), batchSize: 64 });
  await source.open(ctx);
  const drain = async () => {
    for (let polls = 0; polls < 1000; polls++) if ((await source.pollNext()) === 'end') return 'end';
    return 'still running';
  };
  return { source, rows, idle, drain };
}

describe('source splits on a rescaling restore', () => {
  const spec = sourceOperator.spec.kind === 'source' ? sourceOperator.spec : undefined;
  let runtimes: ConnectorRuntimes;
  beforeAll(async () => {
    runtimes = await ConnectorRuntimes.load(['nexmark']);
  });
  const nexmark = (parallelism: number) => runtimes.createSource(spec!, sourceOperator.output, { parallelism });
  const oldSplit = (subtask: number): SplitState => ({ split: generatorSplits('nexmark-bid', 2)[subtask]!, position: null, finished: false });

  it('keeps the old generator splits with their own stride: 2 → 3 reads every bid once, the third subtask ends at once', async () => {
    const lists = dealt([[oldSplit(0)], [oldSplit(1)]], 3);
    const read: unknown[][] = [];
    const ends: string[] = [];
    for (let subtask = 0; subtask < 3; subtask++) {
      const run = await openRestored(nexmark(3), lists[subtask]!, subtask, 3);
      ends.push(await run.drain());
      read.push(...run.rows);
      if (subtask === 2) expect(run.rows).toEqual([]);
    }
    expect(ends).toEqual(['end', 'end', 'end']);
    // 46 of every 50 Nexmark events are bids.
    expect(read.length).toBe(920);
    expect(new Set(read.map((row) => JSON.stringify(row))).size).toBe(920);
  });

  it('a continuous source subtask dealt no split reports itself idle so it holds back no watermark', async () => {
    const connector: SourceConnector = {
      bounded: false,
      enumerateSplits: () => Promise.resolve([]),
      discoverNewSplits: () => Promise.resolve([]),
      discoveryIntervalMs: 60_000,
      createReader: () => {
        throw new Error('no split to read');
      },
    };
    const run = await openRestored(connector, dealt([[], []], 3)[2]!, 2, 3);
    expect(await run.source.pollNext()).toBe('idle');
    expect(run.idle).toEqual([true]);
  });
});
