import { describe, expect, it } from 'vitest';
import type { Operator } from '../../compiler/graph/job-graph.js';
import type { ReadResult, SourceConnector, SplitReader } from '../../runtime/connectors/source-connector.js';
import { OperatorHost, type Downstream } from '../../runtime/execution/operator-host.js';
import { SourceOperatorImpl } from '../../runtime/operators/source.js';
import { WatermarkAlignmentCoordinator } from '../../runtime/time/alignment-coordinator.js';
import type { AlignmentAnnouncement, AlignmentLink, WatermarkReport } from '../../runtime/time/alignment-messages.js';
import { AlignmentTable, createAlignmentTable } from '../../runtime/time/alignment-table.js';
import { ManualClock } from '../../runtime/time/clock.js';
import { SourceAlignment } from '../../runtime/time/source-alignment.js';
import { compilePipe } from '../operators/run-pipe.js';

describe('the watermark alignment coordinator', () => {
  function coordinator(members: readonly string[]) {
    const coordinator = new WatermarkAlignmentCoordinator();
    const received = new Map<string, number[]>(members.map((m) => [m, []]));
    for (const member of members) coordinator.connect('g', member, (a) => received.get(member)!.push(a.minWatermark));
    const report = (member: string, watermark: number, idle = false) => coordinator.report({ group: 'g', member, watermark, idle });
    return { received, report };
  }

  it("announces the group's minimum to every member, and only when it changes", () => {
    const { received, report } = coordinator(['a', 'b']);
    report('a', 5_000); // b has not reported: it counts as -Infinity
    report('b', 2_000);
    report('a', 9_000); // the minimum stays b's
    report('b', 7_000);
    expect(received.get('a')).toEqual([2_000, 7_000]);
    expect(received.get('b')).toEqual([2_000, 7_000]);
  });

  it('leaves idle and finished members out of the minimum, and takes an idle member back when it reports again', () => {
    const { received, report } = coordinator(['a', 'b']);
    report('a', 1_000);
    report('b', 5_000);
    report('a', 1_000, true);
    report('a', 3_000);
    report('a', Infinity);
    report('b', Infinity);
    expect(received.get('b')).toEqual([1_000, 5_000, 3_000, 5_000, Infinity]);
  });

  it('refuses a report from a source that is not a member', () => {
    const { report } = coordinator(['a']);
    expect(() => report('x', 1)).toThrow("watermark alignment: x is not a member of group 'g'");
  });
});

describe("a source subtask's side of alignment", () => {
  function alignment(maxDriftMs = 1_000, updateIntervalMs = 1_000) {
    const reports: WatermarkReport[] = [];
    const side = new SourceAlignment({ group: 'g', maxDriftMs, updateIntervalMs }, 's[0]', { report: (r) => reports.push(r) });
    return { side, reports, watermarks: () => reports.map((r) => (r.idle ? `idle ${r.watermark}` : r.watermark)) };
  }
  const announce = (minWatermark: number): AlignmentAnnouncement => ({ group: 'g', minWatermark });

  it('reports at most once per update interval while it holds nobody back', () => {
    const { side, watermarks } = alignment();
    side.update(100, false, 0); // first report: at once
    side.onAnnouncement(announce(50)); // another member is lower
    side.update(200, false, 10);
    side.update(300, false, 999);
    side.update(400, false, 1_000);
    side.update(500, false, 1_500);
    expect(watermarks()).toEqual([100, 400]);
  });

  it('reports every change while the group waits for it, and idleness and the end at once', () => {
    const { side, watermarks } = alignment();
    side.update(100, false, 0);
    side.onAnnouncement(announce(100)); // it is the minimum
    side.update(200, false, 1);
    side.onAnnouncement(announce(150));
    side.update(300, false, 2); // no longer the minimum: throttled
    side.update(300, true, 3);
    side.update(Infinity, false, 4);
    expect(watermarks()).toEqual([100, 200, 'idle 300', Infinity]);
  });

  it('pauses above the minimum plus the max drift, reporting its watermark first, and counts the time paused', () => {
    const { side, watermarks } = alignment(1_000);
    side.update(100, false, 0);
    side.onAnnouncement(announce(0));
    side.update(900, false, 1); // throttled
    expect(side.mustPause(1_000, false, 2, 10)).toBe(false);
    expect(side.mustPause(1_001, false, 3, 20)).toBe(true);
    expect(watermarks()).toEqual([100, 1_001]);
    expect(side.mustPause(1_001, false, 4, 25)).toBe(true);
    expect(side.pausedMsAt(26)).toBe(6);
    side.onAnnouncement(announce(1));
    expect(side.mustPause(1_001, false, 5, 30)).toBe(false);
    expect(side.pausedMs).toBe(10);
    expect(watermarks()).toEqual([100, 1_001]);
  });
});

/** One split of rows with `ts` in milliseconds, read synchronously, `maxRows` at a time. */
function rowsConnector(times: readonly number[]): SourceConnector {
  return {
    bounded: true,
    enumerateSplits: () => Promise.resolve([{ id: 'rows' }]),
    createReader: (_split, position): SplitReader => {
      let next = typeof position?.['next'] === 'number' ? position['next'] : 0;
      const readSync = (maxRows: number): ReadResult => {
        const rows = times.slice(next, next + maxRows).map((ts) => [ts]);
        next += rows.length;
        return { rows, status: next >= times.length ? 'end' : 'more' };
      };
      return { splitId: 'rows', readSync, read: (maxRows) => Promise.resolve(readSync(maxRows)), position: () => ({ next }), skippedRows: 0, close: () => Promise.resolve() };
    },
  };
}

describe('two sources of one alignment group, one fast and one slow in event time', () => {
  const BATCH = 10;
  const graph = compilePipe(`
    CREATE SOURCE fast (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
      WITH ('connector' = 'datagen', 'scan.watermark.alignment.group' = 'g', 'scan.watermark.alignment.max-drift' = '1 s') UID 'fast';
    CREATE SOURCE slow (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
      WITH ('connector' = 'datagen', 'scan.watermark.alignment.group' = 'g', 'scan.watermark.alignment.max-drift' = '1 s') UID 'slow';
    CREATE SINK k WITH ('connector' = 'blackhole') UID 'k';
    INSERT INTO k FROM fast |> UNION ALL slow;`);
  const source = (uid: string): Operator => graph.operators.find((o) => o.uid === uid)!;

  /**
   * Runs both sources with a coordinator (or the shared table) whose announcements are queued as mail, as the tasks
   * get them; the fast one is polled five times for every poll of the slow one (a cheaper source). `slowTimes` may
   * end early.
   */
  async function run(fastTimes: number[], slowTimes: number[], slowIdleAfterEnd = false, link: 'coordinator' | 'table' = 'coordinator') {
    const alignment: AlignmentLink = link === 'coordinator' ? new WatermarkAlignmentCoordinator() : new AlignmentTable(createAlignmentTable(graph)!);
    const clock = new ManualClock();
    const emitted = { fast: -Infinity, slow: -Infinity };
    const log: { fast: number; slow: number }[] = [];
    const rows = { fast: 0, slow: 0 };
    const sides = {} as Record<'fast' | 'slow', { host: OperatorHost; impl: SourceOperatorImpl; mail: AlignmentAnnouncement[]; done: boolean }>;
    for (const name of ['fast', 'slow'] as const) {
      const times = name === 'fast' ? fastTimes : slowTimes;
      const impl = new SourceOperatorImpl(source(name), { connector: rowsConnector(times), udfs: new Map(), batchSize: BATCH, alignment: alignment.port });
      const host = new OperatorHost(source(name), impl, {
        subtask: 0,
        parallelism: 1,
        maxParallelism: 128,
        clock,
        backendType: 'memory',
        localStateDir: '/nonexistent',
        diskCacheCells: 1_000,
        restore: undefined,
        defer: () => {},
        recordOrigin: undefined,
      });
      const downstream: Downstream = {
        pushBatch: (batch) => (rows[name] += batch.rows.length),
        pushWatermark: (ts) => {
          emitted[name] = ts;
          if (name === 'fast') log.push({ ...emitted });
        },
        pushIdle: () => {},
      };
      host.downstream = downstream;
      const side = { host, impl, mail: [] as AlignmentAnnouncement[], done: false };
      alignment.connect('g', `${source(name).id}[0]`, (a) => side.mail.push(a));
      sides[name] = side;
      await impl.open(host);
    }
    const step = async (name: 'fast' | 'slow') => {
      const side = sides[name];
      for (const a of side.mail.splice(0)) side.impl.onAlignmentAnnouncement(a);
      if (side.done) return 'end';
      const result = await side.impl.pollNext();
      if (result === 'end') {
        side.done = true;
        await side.impl.close();
      }
      return result;
    };
    let paused = 0;
    for (let round = 0; round < 10_000 && !(sides.fast.done && sides.slow.done); round++) {
      for (let i = 0; i < 5; i++) if ((await step('fast')) === 'idle') paused++;
      if (!slowIdleAfterEnd || !sides.slow.done) await step('slow');
    }
    return { log, rows, paused, pausedMs: sides.fast.host.metrics.alignmentPausedMs, done: sides.fast.done && sides.slow.done };
  }

  // The shared table (across threads) is read by the paused source itself: its announcements are not needed here.
  it.each(['coordinator', 'table'] as const)("never lets the fast one's watermark run more than the max drift plus one batch's span ahead of the slow one's (%s)", async (link) => {
    // fast: a row every 100 ms (a batch spans 1 s); slow: a row every 10 ms (a batch spans 100 ms).
    const fast = Array.from({ length: 2_000 }, (_, i) => i * 100);
    const slow = Array.from({ length: 20_000 }, (_, i) => i * 10);
    const { log, rows, paused, done } = await run(fast, slow, false, link);
    expect(done).toBe(true);
    expect(rows).toEqual({ fast: 2_000, slow: 20_000 });
    expect(paused).toBeGreaterThan(0);
    const batchSpan = (BATCH - 1) * 100;
    const ahead = log.filter((e) => e.slow < Infinity).map((e) => e.fast - Math.max(e.slow, 0));
    expect(Math.max(...ahead)).toBeLessThanOrEqual(1_000 + batchSpan + 100);
    // Unaligned, it would have read its 2,000 rows in 40 rounds, with the slow one 400 rows (4 s) in; its last
    // watermark (that of its last batch but one, at most ten rows before the end: the end is +Infinity; batches
    // shrink when the machine is slow) came with the slow one near the end too.
    const last = log[log.length - 1]!;
    expect(last.fast).toBeGreaterThanOrEqual(198_900);
    expect(last.slow).toBeGreaterThanOrEqual(198_900 - 1_000 - batchSpan - 100);
  });

  it.each(['coordinator', 'table'] as const)('lets the fast one read on once the slow one has finished: a finished source holds nobody back (%s)', async (link) => {
    const fast = Array.from({ length: 1_000 }, (_, i) => i * 100);
    const slow = Array.from({ length: 100 }, (_, i) => i * 10);
    const { rows, done } = await run(fast, slow, true, link);
    expect(done).toBe(true);
    expect(rows).toEqual({ fast: 1_000, slow: 100 });
  });
});
