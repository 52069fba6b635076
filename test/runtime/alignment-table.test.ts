import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { WatermarkAlignmentCoordinator } from '../../runtime/time/alignment-coordinator.js';
import type { AlignmentAnnouncement, WatermarkReport } from '../../runtime/time/alignment-messages.js';
import { AlignmentTable, createAlignmentTable, type AlignmentTableDescriptor } from '../../runtime/time/alignment-table.js';
import { SourceAlignment } from '../../runtime/time/source-alignment.js';
import { compilePipe } from '../operators/run-pipe.js';

/** Two sources of group `g` at parallelism 2 and one of group `h`: members `<operator id>[<subtask>]`. */
const graph = compilePipe(
  `
  CREATE SOURCE a (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
    WITH ('connector' = 'datagen', 'scan.watermark.alignment.group' = 'g', 'scan.watermark.alignment.max-drift' = '1 s') UID 'a';
  CREATE SOURCE b (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
    WITH ('connector' = 'datagen', 'scan.watermark.alignment.group' = 'g', 'scan.watermark.alignment.max-drift' = '1 s') UID 'b';
  CREATE SOURCE c (ts TIMESTAMP(3), WATERMARK FOR ts AS ts)
    WITH ('connector' = 'datagen', 'scan.watermark.alignment.group' = 'h', 'scan.watermark.alignment.max-drift' = '1 s') UID 'c';
  CREATE SINK k WITH ('connector' = 'blackhole') UID 'k';
  INSERT INTO k FROM a |> UNION ALL b |> UNION ALL c;`,
  {},
  2,
);
const id = (uid: string) => graph.operators.find((o) => o.uid === uid)!.id;
const member = (uid: string, subtask: number) => `${id(uid)}[${subtask}]`;

/** Two views of one table, as two threads have (`elsewhere` reports); `mail` gets what `here`'s member a[0] is announced. */
function twoViews() {
  const descriptor = createAlignmentTable(graph)!;
  const here = new AlignmentTable(descriptor);
  const elsewhere = new AlignmentTable(descriptor);
  const mail: AlignmentAnnouncement[] = [];
  here.connect('g', member('a', 0), (a) => mail.push(a));
  return { descriptor, here, elsewhere, mail };
}

/** Resolves on the next macrotask, after the announcements a report woke have been handed over. */
const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the shared watermark alignment table', () => {
  it('has a slot for every aligned source subtask, by group; none for a graph without alignment', () => {
    expect(createAlignmentTable(graph)!.groups).toEqual([
      { group: 'g', members: [member('a', 0), member('a', 1), member('b', 0), member('b', 1)] },
      { group: 'h', members: [member('c', 0), member('c', 1)] },
    ]);
    const plain = compilePipe(`
      CREATE SOURCE s (x INT) WITH ('connector' = 'datagen') UID 's';
      CREATE SINK k WITH ('connector' = 'blackhole') UID 'k';
      INSERT INTO k FROM s;`);
    expect(createAlignmentTable(plain)).toBeUndefined();
  });

  it("gives the same minimum as the coordinator's announcements, for every report: a member not reported yet holds the group at -Infinity, idle and finished members hold nobody", () => {
    const table = new AlignmentTable(createAlignmentTable(graph)!);
    const coordinator = new WatermarkAlignmentCoordinator();
    const announced: number[] = [];
    for (const m of createAlignmentTable(graph)!.groups[0]!.members) coordinator.connect('g', m, (a) => void (m === member('a', 0) && announced.push(a.minWatermark)));
    const reports: [string, number, boolean][] = [
      [member('a', 0), 5_000, false],
      [member('a', 1), 2_000, false],
      [member('b', 0), 9_000, false],
      [member('b', 1), 1_500.7, false], // a fraction: rounded down in the slot
      [member('b', 1), 7_000, true],
      [member('a', 1), Infinity, false],
      [member('a', 0), 12_000, false],
      [member('b', 1), 8_000, false],
      [member('b', 0), Infinity, false],
      [member('a', 0), Infinity, false],
      [member('b', 1), Infinity, false],
    ];
    expect(table.minWatermark('g')).toBe(-Infinity);
    const mins: number[] = [];
    for (const [m, watermark, idle] of reports) {
      const report: WatermarkReport = { group: 'g', member: m, watermark, idle };
      table.report(report);
      coordinator.report(report);
      mins.push(table.minWatermark('g'));
    }
    expect(mins).toEqual([-Infinity, -Infinity, -Infinity, 1_500, 2_000, 5_000, 9_000, 8_000, 8_000, 8_000, Infinity]);
    expect(announced.map(Math.floor)).toEqual([1_500, 2_000, 5_000, 9_000, 8_000, Infinity]);
    // The other group is untouched.
    expect(table.minWatermark('h')).toBe(-Infinity);
  });

  it('refuses a report or a connection from a source that is not a member', () => {
    const table = new AlignmentTable(createAlignmentTable(graph)!);
    expect(() => table.report({ group: 'g', member: member('c', 0), watermark: 1, idle: false })).toThrow(`watermark alignment: ${member('c', 0)} is not a member of group 'g'`);
    expect(() => table.connect('h', member('a', 0), () => {})).toThrow(`watermark alignment: ${member('a', 0)} is not a member of group 'h'`);
  });

  it("announces to a thread's members once the minimum moves from the one read last, not on reports that leave it", async () => {
    const { descriptor, here, elsewhere, mail } = twoViews();
    for (const m of descriptor.groups[0]!.members) elsewhere.report({ group: 'g', member: m, watermark: 1_000, idle: false });
    expect(here.minWatermark('g')).toBe(1_000);
    here.wakeOnChange('g');
    elsewhere.report({ group: 'g', member: member('a', 1), watermark: 3_000, idle: false }); // the minimum stays 1,000
    await turn();
    expect(mail).toEqual([]);
    for (const m of [member('b', 0), member('b', 1)]) elsewhere.report({ group: 'g', member: m, watermark: 4_000, idle: false });
    // a[0] is still at 1,000 ...
    await turn();
    expect(mail).toEqual([]);
    elsewhere.report({ group: 'g', member: member('a', 0), watermark: 2_500, idle: false });
    await turn();
    expect(mail).toEqual([{ group: 'g', minWatermark: 2_500 }]);
    // One announcement per wait: the next comes after the next ask.
    elsewhere.report({ group: 'g', member: member('a', 0), watermark: 9_000, idle: false });
    await turn();
    expect(mail).toHaveLength(1);
  });

  it('announces at once when a report came between the read and the ask (no lost wake-up)', async () => {
    const { descriptor, here, elsewhere, mail } = twoViews();
    expect(here.minWatermark('g')).toBe(-Infinity);
    for (const m of descriptor.groups[0]!.members) elsewhere.report({ group: 'g', member: m, watermark: 1_000, idle: false });
    here.wakeOnChange('g');
    await turn();
    expect(mail).toEqual([{ group: 'g', minWatermark: 1_000 }]);
  });

  it("hands the announcement over at once when polled between tasks' steps, and only once", async () => {
    const { descriptor, here, elsewhere, mail } = twoViews();
    for (const m of descriptor.groups[0]!.members) elsewhere.report({ group: 'g', member: m, watermark: 1_000, idle: false });
    expect(here.minWatermark('g')).toBe(1_000);
    here.wakeOnChange('g');
    here.poll(); // nothing reported since: nothing to hand over
    elsewhere.report({ group: 'g', member: member('a', 1), watermark: 3_000, idle: false }); // the minimum stays
    here.poll(); // looked at, and waiting again
    expect(mail).toEqual([]);
    elsewhere.report({ group: 'g', member: member('b', 0), watermark: 3_000, idle: false });
    elsewhere.report({ group: 'g', member: member('b', 1), watermark: 3_000, idle: false });
    elsewhere.report({ group: 'g', member: member('a', 0), watermark: 2_000, idle: false });
    here.poll();
    expect(mail).toEqual([{ group: 'g', minWatermark: 2_000 }]);
    await turn(); // the wait's own wake-up comes later and finds it settled
    expect(mail).toHaveLength(1);
  });

  it('wakes a thread waiting for a report made in another thread', async () => {
    const descriptor = createAlignmentTable(graph)!;
    const here = new AlignmentTable(descriptor);
    const woken = new Promise<AlignmentAnnouncement>((resolve) => here.connect('g', member('a', 0), resolve));
    expect(here.minWatermark('g')).toBe(-Infinity);
    here.wakeOnChange('g');
    await reportFromAnotherThread(descriptor, descriptor.groups[0]!.members, 4_000);
    expect(await woken).toEqual({ group: 'g', minWatermark: 4_000 });
  });
});

describe("a source subtask's side of alignment, with the shared table", () => {
  function side(maxDriftMs = 1_000) {
    const descriptor = createAlignmentTable(graph)!;
    const table = new AlignmentTable(descriptor);
    const others = descriptor.groups[0]!.members.filter((m) => m !== member('a', 0));
    const reportOthers = (watermark: number) => {
      for (const m of others) table.report({ group: 'g', member: m, watermark, idle: false });
    };
    const alignment = new SourceAlignment({ group: 'g', maxDriftMs, updateIntervalMs: 1_000 }, member('a', 0), table);
    return { table, alignment, reportOthers };
  }

  it('reads the minimum itself when it decides to pause, with no announcement, and reports every change (a report is a store)', () => {
    const { table, alignment, reportOthers } = side();
    reportOthers(0);
    alignment.update(100, false, 0);
    alignment.update(200, false, 1); // within the update interval: reported all the same
    expect(table.minWatermark('g')).toBe(0);
    reportOthers(50);
    expect(table.minWatermark('g')).toBe(50);
    expect(alignment.mustPause(1_050, false, 2, 10)).toBe(false);
    expect(alignment.mustPause(1_051, false, 3, 20)).toBe(true);
    reportOthers(60);
    expect(alignment.mustPause(1_051, false, 4, 30)).toBe(false);
    expect(alignment.pausedMs).toBe(10);
  });

  it('does not pause when its own report, made as it would pause, moves the minimum it held with a stale watermark', () => {
    const { table, alignment, reportOthers } = side();
    reportOthers(5_000);
    alignment.update(100, false, 0);
    expect(table.minWatermark('g')).toBe(100);
    // It read on without reporting (as a source that is not polled between batches might): its slot says 100.
    table.report({ group: 'g', member: member('a', 0), watermark: 100, idle: false });
    expect(alignment.mustPause(5_500, false, 1, 10)).toBe(false);
    expect(table.minWatermark('g')).toBe(5_000);
  });
});

/** Reports `watermark` for `members` from a worker thread of its own, on the same shared memory. */
function reportFromAnotherThread(descriptor: AlignmentTableDescriptor, members: readonly string[], watermark: number): Promise<void> {
  const url = new URL('../../runtime/time/alignment-table.ts', import.meta.url);
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); }).then(({ AlignmentTable }) => {
      const { workerData } = require('node:worker_threads');
      const table = new AlignmentTable(workerData.descriptor);
      for (const member of workerData.members) table.report({ group: 'g', member, watermark: workerData.watermark, idle: false });
    });`,
    { eval: true, workerData: { descriptor, members, watermark } },
  );
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
}
