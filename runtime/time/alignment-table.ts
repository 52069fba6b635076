import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { waitForChange, wake } from '../channels/shared-wait.js';
import type { AlignmentAnnouncement, AlignmentCoordinatorPort, AlignmentLink, WatermarkReport } from './alignment-messages.js';
import { alignmentMember, alignmentSettingsOf } from './source-alignment.js';

/**
 * Watermark alignment across threads without messages (issue 10): one shared slot per member of each alignment group
 * holds the member's last reported watermark, and a source reads its group's minimum from the slots itself, at once,
 * where the coordinator on the main thread (alignment-coordinator.ts) needed a message to it per report and one back
 * per member per announcement, so that a paused source waited for two hops through busy event loops. The table is
 * made once per attempt on the main thread (`createAlignmentTable`), cloned into every worker with its slot's
 * set-up, and opened in each thread that runs members (`AlignmentTable`).
 *
 * A slot holds the watermark as an int64 (Atomics work on integer arrays only: a float64 read beside a write may
 * tear), -Infinity and +Infinity as the extremes; an idle or finished member stores +Infinity, so it holds nobody
 * back, as with the coordinator. Watermarks are milliseconds; a fraction is rounded down, which can only hold the
 * group back by less than a millisecond more.
 *
 * Waking a paused source: each report bumps its group's version word and wakes the threads that wait on it (a flag
 * word says whether any does: shared-wait.ts); a thread waits only while one of its members is paused, with one
 * `Atomics.waitAsync` per group, and hands its members an announcement (as mail, like the coordinator's) only when
 * the minimum it reads has moved.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Per group, after the slots: its version (bumped by every report) and its "a thread waits" flag. */
const CONTROL_WORDS = 2;

/** Structured-clone-able: the shared memory and the member names of each group, in slot order. */
export interface AlignmentTableDescriptor {
  readonly buffer: SharedArrayBuffer;
  readonly groups: readonly { readonly group: string; readonly members: readonly string[] }[];
}

/** The table for every aligned source subtask of `graph`, each slot at -Infinity (not reported yet); undefined without any. */
export function createAlignmentTable(graph: JobGraph): AlignmentTableDescriptor | undefined {
  const members = new Map<string, string[]>();
  for (const chain of graph.chains) {
    const head = graph.operators.find((op) => op.id === chain.operators[0])!;
    const settings = alignmentSettingsOf(head);
    if (settings === undefined) continue;
    const group = members.get(settings.group) ?? [];
    for (let subtask = 0; subtask < chain.parallelism; subtask++) group.push(alignmentMember(head.id, subtask));
    members.set(settings.group, group);
  }
  if (members.size === 0) return undefined;
  const groups = [...members].map(([group, names]) => ({ group, members: names }));
  const slots = groups.reduce((sum, g) => sum + g.members.length, 0);
  const buffer = new SharedArrayBuffer(slots * 8 + groups.length * CONTROL_WORDS * 4);
  new BigInt64Array(buffer, 0, slots).fill(INT64_MIN);
  return { buffer, groups };
}

interface Group {
  readonly name: string;
  /** Its members' slots: [first, end). */
  readonly first: number;
  readonly end: number;
  /** Its version's index in `control`; the flag is the next word. */
  readonly version: number;
  /** This thread's members, as `connect` gave them. */
  readonly delivers: ((announcement: AlignmentAnnouncement) => void)[];
  /** The version read before the last minimum this thread computed, and that minimum. */
  seen: number;
  seenMin: number;
  /** A wait for the next report is armed in this thread, on version `armedSeen` with minimum `armedMin`. */
  waiting: boolean;
  armedSeen: number;
  armedMin: number;
  /** Counts the waits armed: a wait settled early by `poll` is ignored when its promise resolves later. */
  arms: number;
}

/** One thread's view of the table: the port its members report to and read the minimum from, and their link. */
export class AlignmentTable implements AlignmentCoordinatorPort, AlignmentLink {
  readonly port: AlignmentCoordinatorPort = this;
  private readonly slots: BigInt64Array;
  private readonly control: Int32Array;
  private readonly groups = new Map<string, Group>();
  private readonly slotOf = new Map<string, number>();

  constructor(descriptor: AlignmentTableDescriptor) {
    const count = descriptor.groups.reduce((sum, g) => sum + g.members.length, 0);
    this.slots = new BigInt64Array(descriptor.buffer, 0, count);
    this.control = new Int32Array(descriptor.buffer, count * 8, descriptor.groups.length * CONTROL_WORDS);
    let first = 0;
    descriptor.groups.forEach(({ group, members }, index) => {
      members.forEach((member, i) => this.slotOf.set(`${group}\u0000${member}`, first + i));
      const end = first + members.length;
      this.groups.set(group, { name: group, first, end, version: index * CONTROL_WORDS, delivers: [], seen: 0, seenMin: -Infinity, waiting: false, armedSeen: 0, armedMin: -Infinity, arms: 0 });
      first = end;
    });
  }

  connect(group: string, member: string, deliver: (announcement: AlignmentAnnouncement) => void): void {
    this.slot(group, member);
    this.groups.get(group)!.delivers.push(deliver);
  }

  report(report: WatermarkReport): void {
    const group = this.groups.get(report.group)!;
    const value = report.idle ? INT64_MAX : toSlot(report.watermark);
    Atomics.store(this.slots, this.slot(report.group, report.member), value);
    Atomics.add(this.control, group.version, 1);
    wake(this.control, group.version, group.version + 1);
  }

  /** The lowest watermark over the group's members neither idle nor finished (+Infinity when there is none). */
  minWatermark(groupName: string): number {
    const group = this.groups.get(groupName)!;
    // The version first: a report after this read changes it, so a wait armed on it ends at once (`wakeOnChange`).
    group.seen = Atomics.load(this.control, group.version);
    let min = INT64_MAX;
    for (let i = group.first; i < group.end; i++) {
      const value = Atomics.load(this.slots, i);
      if (value < min) min = value;
    }
    group.seenMin = fromSlot(min);
    return group.seenMin;
  }

  /**
   * Announces the group's minimum to this thread's members once it moves from the one `minWatermark` read last: a
   * paused member asks, right after the read that made it pause, so that no report in between goes unnoticed.
   */
  wakeOnChange(groupName: string): void {
    const group = this.groups.get(groupName)!;
    if (group.waiting) return;
    group.waiting = true;
    group.armedSeen = group.seen;
    group.armedMin = group.seenMin;
    const arm = ++group.arms;
    // Not held open: the thread's tasks keep it alive, and a job that ends with a member paused leaves no wait behind.
    void waitForChange(this.control, group.version, group.seen, group.version + 1, false).then(() => {
      if (group.waiting && group.arms === arm) this.settle(group);
    });
  }

  /**
   * Settles now the waits whose group had a report since they were armed: called between the steps of this
   * thread's tasks, so that a paused source is woken when the task before it finishes a step, not when the event
   * loop next turns (after every task of the thread has used its time slice). One load per waiting group.
   */
  poll(): void {
    for (const group of this.groups.values()) {
      if (group.waiting && Atomics.load(this.control, group.version) !== group.armedSeen) this.settle(group);
    }
  }

  private settle(group: Group): void {
    group.waiting = false;
    const now = this.minWatermark(group.name);
    if (now === group.armedMin) this.wakeOnChange(group.name);
    else for (const deliver of group.delivers) deliver({ group: group.name, minWatermark: now });
  }

  private slot(group: string, member: string): number {
    const slot = this.slotOf.get(`${group}\u0000${member}`);
    if (slot === undefined) throw new Error(`watermark alignment: ${member} is not a member of group '${group}'`);
    return slot;
  }
}

function toSlot(watermark: number): bigint {
  if (watermark === -Infinity) return INT64_MIN;
  if (watermark === Infinity) return INT64_MAX;
  return BigInt(Math.floor(watermark));
}

function fromSlot(value: bigint): number {
  if (value === INT64_MIN) return -Infinity;
  if (value === INT64_MAX) return Infinity;
  return Number(value);
}
