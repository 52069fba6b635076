import type { AlignmentAnnouncement, AlignmentCoordinatorPort, AlignmentLink, WatermarkReport } from './alignment-messages.js';

interface Member {
  watermark: number;
  idle: boolean;
  /** Hands an announcement to the member's task (its mailbox): never runs the source's code in place. */
  readonly deliver: (announcement: AlignmentAnnouncement) => void;
}

/**
 * Flink's watermark alignment coordinator for one execution attempt, on the main thread: keeps each member's last
 * reported watermark per group and announces the group's minimum to every member whenever it changes. A member
 * that has not reported yet counts as -Infinity, so no source runs ahead of one that has not started. Pure
 * bookkeeping: members decide themselves whether to pause (their watermark above the minimum plus their max drift).
 */
export class WatermarkAlignmentCoordinator implements AlignmentCoordinatorPort, AlignmentLink {
  private readonly groups = new Map<string, { readonly members: Map<string, Member>; minWatermark: number }>();

  readonly port: AlignmentCoordinatorPort = this;

  /** Adds a source subtask to `group`; every member is added before any task runs. */
  connect(group: string, member: string, deliver: (announcement: AlignmentAnnouncement) => void): void {
    let entry = this.groups.get(group);
    if (entry === undefined) {
      entry = { members: new Map(), minWatermark: -Infinity };
      this.groups.set(group, entry);
    }
    entry.members.set(member, { watermark: -Infinity, idle: false, deliver });
  }

  report(report: WatermarkReport): void {
    const entry = this.groups.get(report.group);
    const member = entry?.members.get(report.member);
    if (entry === undefined || member === undefined) throw new Error(`watermark alignment: ${report.member} is not a member of group '${report.group}'`);
    member.watermark = report.watermark;
    member.idle = report.idle;
    let min = Infinity;
    for (const m of entry.members.values()) if (!m.idle && m.watermark < min) min = m.watermark;
    if (min === entry.minWatermark) return;
    entry.minWatermark = min;
    const announcement: AlignmentAnnouncement = { group: report.group, minWatermark: min };
    for (const m of entry.members.values()) m.deliver(announcement);
  }
}
