import type { Operator } from '../../compiler/graph/job-graph.js';
import {
  ALIGNMENT_GROUP,
  ALIGNMENT_MAX_DRIFT,
  ALIGNMENT_UPDATE_INTERVAL,
  DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS,
} from '../../compiler/connectors/watermark-alignment.js';
import { ConnectorOptions } from '../connectors/options.js';
import type { AlignmentAnnouncement, AlignmentCoordinatorPort } from './alignment-messages.js';


export interface AlignmentSettings {
  readonly group: string;
  readonly maxDriftMs: number;
  readonly updateIntervalMs: number;
}

/** How a source subtask is named in its group's reports. */
export function alignmentMember(operatorId: string, subtask: number): string {
  return `${operatorId}[${subtask}]`;
}

/** A source operator's alignment settings, or undefined when it is in no group. */
export function alignmentSettingsOf(operator: Operator): AlignmentSettings | undefined {
  const { spec } = operator;
  if (spec.kind !== 'source' || spec.options[ALIGNMENT_GROUP] === undefined) return undefined;
  const options = new ConnectorOptions(spec.connector, spec.options);
  return {
    group: options.string(ALIGNMENT_GROUP),
    maxDriftMs: options.durationMs(ALIGNMENT_MAX_DRIFT),
    updateIntervalMs: options.durationMs(ALIGNMENT_UPDATE_INTERVAL, DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS),
  };
}

/**
 * One source subtask's side of watermark alignment, at subtask level (Flink also aligns the splits within a
 * subtask; here a subtask's watermark is already the minimum over its splits). The source asks `mustPause` before
 * each read: it pauses while its watermark is above the group's announced minimum plus max drift, so what it emits
 * never runs ahead by more than the span of one batch. It reports its watermark to the coordinator at most once per
 * update interval, except when that cannot wait: a change of idleness or end, a member holding the group back (its
 * last report is the minimum: the others may be waiting for it), and just before it pauses (so that a paused source's
 * report is never stale and the group's minimum, held by a member that is not paused, can always move on). A port
 * that shares the minimum across threads (alignment-table.ts) is read instead of waiting for announcements, and
 * takes every change: a report there is a store to shared memory, not a message.
 */
export class SourceAlignment {
  private minWatermark = -Infinity;
  private reported: { watermark: number; idle: boolean } | undefined;
  private reportedAt = -Infinity;
  private pausedSince: number | undefined;
  /** Time spent paused, for the metrics. */
  pausedMs = 0;

  constructor(
    private readonly settings: AlignmentSettings,
    private readonly member: string,
    private readonly port: AlignmentCoordinatorPort,
  ) {}

  get isPaused(): boolean {
    return this.pausedSince !== undefined;
  }

  onAnnouncement(announcement: AlignmentAnnouncement): void {
    this.minWatermark = announcement.minWatermark;
  }

  /**
   * Reports `watermark` and `idle` when due (see the class comment; every change to a port that shares the group's
   * minimum, where a report is a store); `now` is the processing time.
   */
  update(watermark: number, idle: boolean, now: number): void {
    const last = this.reported;
    if (last !== undefined && last.watermark === watermark && last.idle === idle) return;
    if (this.port.minWatermark !== undefined) {
      this.send(watermark, idle, now);
      return;
    }
    const urgent = last === undefined || last.idle !== idle || watermark === Infinity || last.watermark <= this.minWatermark;
    if (urgent || now - this.reportedAt >= this.settings.updateIntervalMs) this.send(watermark, idle, now);
  }

  /**
   * Whether the source must wait before reading again, with its current watermark; pausing reports the watermark
   * first. `at` is a monotonic time in milliseconds for the paused-time figure. With a port that shares the group's
   * minimum, the minimum is read here, and a paused source asks to be woken when it moves.
   */
  mustPause(watermark: number, idle: boolean, now: number, at: number): boolean {
    let pause = this.ahead(watermark);
    if (pause && (this.reported?.watermark !== watermark || this.reported.idle !== idle)) {
      this.send(watermark, idle, now);
      // The report may have moved a shared minimum: this source may have held it with a stale report.
      if (this.port.minWatermark !== undefined) pause = this.ahead(watermark);
    }
    if (pause) this.port.wakeOnChange?.(this.settings.group);
    if (pause && this.pausedSince === undefined) {
      this.pausedSince = at;
    } else if (!pause && this.pausedSince !== undefined) {
      this.pausedMs += at - this.pausedSince;
      this.pausedSince = undefined;
    }
    return pause;
  }

  /** The paused time so far, including a pause under way. */
  pausedMsAt(at: number): number {
    return this.pausedMs + (this.pausedSince === undefined ? 0 : at - this.pausedSince);
  }

  /** Whether `watermark` is beyond the group's minimum plus the max drift (a shared minimum read afresh). */
  private ahead(watermark: number): boolean {
    if (this.port.minWatermark !== undefined) this.minWatermark = this.port.minWatermark(this.settings.group);
    return watermark > this.minWatermark + this.settings.maxDriftMs;
  }

  private send(watermark: number, idle: boolean, now: number): void {
    this.reported = { watermark, idle };
    this.reportedAt = now;
    this.port.report({ group: this.settings.group, member: this.member, watermark, idle });
  }
}
