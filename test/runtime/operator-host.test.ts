import { describe, expect, it } from 'vitest';
import { OperatorHost, type Downstream, type HostEnvironment } from '../../runtime/execution/operator-host.js';
import { BaseOperator } from '../../runtime/operators/operator.js';
import type { RecordBatch } from '../../runtime/record-batch.js';
import { valueState } from '../../runtime/state/keyed-state.js';
import { keyedStateFromText, keyedStateToText } from '../../runtime/state/snapshot-format.js';
import { ManualClock } from '../../runtime/time/clock.js';
import type { Timer } from '../../runtime/time/timer-service.js';
import { BIGINT, op, schema, STRING } from './job-graph-fixtures.js';

const rows = schema([
  ['user', STRING],
  ['amount', BIGINT],
]);

/** Sums amounts per user and emits the sum when the watermark passes the user's first row + 10. */
class SumUntilTimer extends BaseOperator {
  private readonly sum = valueState<number>('sum');

  processBatch(batch: RecordBatch): void {
    const sum = this.ctx.getState(this.sum);
    for (const row of batch.rows) {
      this.ctx.setCurrentKey([row[0]]);
      if (sum.value() === undefined) this.ctx.timers.registerEventTimeTimer(10);
      sum.update((sum.value() ?? 0) + (row[1] as number));
    }
  }

  override onTimer(timer: Timer): void {
    const sum = this.ctx.getState(this.sum);
    this.ctx.output({ rows: [[timer.key[0], sum.value()]] });
    sum.clear();
  }
}

function recorder(): Downstream & { log: unknown[] } {
  const log: unknown[] = [];
  return {
    log,
    pushBatch: (batch) => log.push(...batch.rows),
    pushWatermark: (ts) => log.push(`wm ${ts}`),
    pushIdle: (idle) => log.push(`idle ${idle}`),
  };
}

function environment(restore?: HostEnvironment['restore']): HostEnvironment {
  return {
    subtask: 0,
    parallelism: 1,
    maxParallelism: 128,
    clock: new ManualClock(),
    backendType: 'memory',
    localStateDir: '/nonexistent',
    diskCacheCells: 100_000,
    restore,
    defer: () => {},
    recordOrigin: undefined,
  };
}

const declared = op('sum', { kind: 'process', function: 'sum', args: [] }, {
  inputs: [rows],
  output: rows,
  state: [{ name: 'sum', scope: 'keyed', kind: 'value', valueType: [], description: 'running sum' }],
});

describe('an operator in its host', () => {
  it('fires timers on the watermark before forwarding it, with the key set, and counts records', async () => {
    const host = new OperatorHost(declared, new SumUntilTimer(), environment());
    const out = recorder();
    host.downstream = out;
    await host.call((impl) => impl.open(host));
    host.processInput({ rows: [['a', 1], ['b', 5], ['a', 2]] }, 0);
    host.pushWatermark(9);
    host.pushWatermark(10);
    expect(out.log).toEqual(['wm 9', ['a', 3], ['b', 5], 'wm 10']);
    expect(host.metrics).toMatchObject({ recordsIn: 3, recordsOut: 2, watermark: 10 });
  });

  it('snapshots keyed state and timers, and a new host restores them', async () => {
    const first = new OperatorHost(declared, new SumUntilTimer(), environment());
    first.downstream = recorder();
    await first.call((impl) => impl.open(first));
    first.processInput({ rows: [['a', 7]] }, 0);
    const snapshot = await first.snapshot(1);
    const text = keyedStateToText(snapshot.keyed!);
    snapshot.keyed!.release();

    const second = new OperatorHost(declared, new SumUntilTimer(), environment({ keyed: [keyedStateFromText(text)], operatorState: snapshot.operatorState }));
    const out = recorder();
    second.downstream = out;
    await second.call((impl) => impl.open(second));
    second.pushWatermark(Infinity);
    expect(out.log).toEqual([['a', 7], 'wm Infinity']);
  });

  it('refuses state the job graph does not declare, saying how to declare it', async () => {
    const undeclared = op('sum', { kind: 'process', function: 'sum', args: [] }, { inputs: [rows], output: rows });
    const host = new OperatorHost(undeclared, new SumUntilTimer(), environment());
    host.downstream = recorder();
    await host.call((impl) => impl.open(host));
    expect(() => host.processInput({ rows: [['a', 1]] }, 0)).toThrow(
      /operator 'sum' .*keyed state 'sum', which the job graph does not declare for it: add a StateDescriptor/,
    );
  });

  it('refuses a snapshot taken with another max parallelism', () => {
    const text = '{"format":"sluice.keyed-state","version":1,"maxParallelism":256,"keyGroupRange":{"start":0,"end":255},"states":{}}\n{"end":true,"entries":0}\n';
    expect(() => new OperatorHost(declared, new SumUntilTimer(), environment({ keyed: [keyedStateFromText(text)], operatorState: [] }))).toThrow(
      /max parallelism 256, this job has 128.*refused/,
    );
  });

  it('lets the operator see the key groups a batch carries only on inputs whose key groups are its own', async () => {
    const seen: (Uint16Array | undefined)[] = [];
    class Recording extends BaseOperator {
      processBatch(batch: RecordBatch): void {
        seen.push(batch.keyGroups);
      }
    }
    const batch: RecordBatch = { rows: [['a', 1]], keyGroups: Uint16Array.of(3) };
    for (const keyGroupInputs of [undefined, [false], [true]]) {
      const host = new OperatorHost(declared, new Recording(), { ...environment(), ...(keyGroupInputs === undefined ? {} : { keyGroupInputs }) });
      await host.call((impl) => impl.open(host));
      host.processInput(batch, 0);
    }
    expect(seen).toEqual([undefined, undefined, batch.keyGroups]);
  });
});
