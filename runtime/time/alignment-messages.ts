/**
 * What the sources of a watermark alignment group (`'scan.watermark.alignment.group'`, Flink's FLIP-182) and their
 * coordinator tell each other. Plain data and one-way calls, as runtime/checkpoint/checkpoint-messages.ts: a source
 * subtask in a worker thread can talk to the coordinator on the main thread by messages unchanged.
 */

/** Source subtask → coordinator: where the subtask's watermark stands. */
export interface WatermarkReport {
  readonly group: string;
  /** The reporting source subtask: `<operator id>[<subtask>]`. */
  readonly member: string;
  /** -Infinity before its first rows, +Infinity once it has finished (it then no longer holds the group). */
  readonly watermark: number;
  /** No split of the subtask produces rows: like Flink, an idle source does not hold the group back. */
  readonly idle: boolean;
}

/** Coordinator → every source subtask of a group, when the group's minimum watermark changed. */
export interface AlignmentAnnouncement {
  readonly group: string;
  /** The lowest watermark over members neither idle nor finished (+Infinity when there is none). */
  readonly minWatermark: number;
}

/** Source subtask → coordinator. */
export interface AlignmentCoordinatorPort {
  report(report: WatermarkReport): void;
  /**
   * The group's minimum as it stands, read without waiting for an announcement: only a port that can tell it at
   * once has it (shared memory across threads, alignment-table.ts). Its reports cost a store, so they are not throttled.
   */
  minWatermark?(group: string): number;
  /** With `minWatermark`: announce to the caller's thread once the minimum moves from the one it read last. */
  wakeOnChange?(group: string): void;
}

/**
 * How one thread's source tasks reach the coordinator: reports go to `port`; `connect` says where the announcements
 * for a member go (to its task's mailbox). The coordinator itself, on the main thread; a proxy that posts and routes
 * messages, in a worker thread.
 */
export interface AlignmentLink {
  readonly port: AlignmentCoordinatorPort;
  /** For a link whose announcements wait for something: hands them over now if they are due (between tasks' steps). */
  poll?(): void;
  connect(group: string, member: string, deliver: (announcement: AlignmentAnnouncement) => void): void;
}
