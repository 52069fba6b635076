import type { Operator, StateDescriptor } from '../../compiler/graph/job-graph.js';
import type { ReadResult, SourceConnector, SplitDescriptor, SplitPosition, SplitReader } from '../connectors/source-connector.js';
import { compileExpr, type UdfImplementations } from '../expressions/compile-expr.js';
import { makeBatch } from '../record-batch.js';
import { murmur3String } from '../state/murmur3.js';
import type { OperatorListState } from '../state/operator-state.js';
import type { AlignmentAnnouncement, AlignmentCoordinatorPort } from '../time/alignment-messages.js';
import { alignmentMember, alignmentSettingsOf, SourceAlignment } from '../time/source-alignment.js';
import { WatermarkTracker } from '../time/watermark-tracker.js';
import { AdaptiveBatchSize } from './adaptive-batch-size.js';
import type { OperatorContext, SourceOperator, SourcePollResult } from './operator.js';
import { RowFailure } from './row-failure.js';

/**
 * How long a split must have returned nothing before it stops holding back the watermark (Flink's
 * `withIdleness`). A split that is merely throttled (a generator's `rows-per-second`) alternates between rows and
 * short waits and is never idle: were it, a downstream watermark could overtake its rows and make them late.
 */
export const SPLIT_IDLE_TIMEOUT_MS = 1000;

/** What a source subtask records per split in its operator state: where to resume, or that it is finished. */
export interface SplitState {
  readonly split: SplitDescriptor;
  readonly position: SplitPosition | null;
  readonly finished: boolean;
}

/** The operator state every source has (the compiler may declare it; the runtime knows it regardless). */
export const SOURCE_SPLITS_STATE: StateDescriptor = {
  name: 'splits',
  scope: 'operator',
  kind: 'list',
  valueType: [
    { name: 'split', type: { name: 'STRING' }, nullable: false },
    { name: 'position', type: { name: 'STRING' }, nullable: true },
  ],
  redistribution: 'split',
  description: 'the splits this subtask reads and the position reached in each',
};

/**
 * Declared by sources whose splits appear between runs (the files of a directory, compiler/plan/state-declarations.ts):
 * every split known to be read — finished or under way, by any subtask — with its last recorded position. A union
 * list: after a rescale every subtask gets all of them. Each subtask records the splits it was restored or started
 * with knowing, plus those it reads itself; a split new since is read by the subtask its id hashes to, which is the
 * same subtask at an unchanged parallelism (where each subtask keeps its own list).
 */
export const SOURCE_KNOWN_SPLITS = 'known-splits';

/** An item of `known-splits`. */
export interface KnownSplit {
  readonly split: SplitDescriptor;
  readonly position: SplitPosition | null;
}

interface ActiveSplit {
  readonly split: SplitDescriptor;
  readonly reader: SplitReader;
  /** Input index in the watermark tracker. */
  readonly input: number;
  finished: boolean;
  idleUntil: number;
  /** Since when its reads have returned nothing (undefined: it returned rows last). */
  idleSince: number | undefined;
  /** Highest value of the watermark expression seen. */
  watermark: number;
  /** The reader's count of skipped unparsable rows already added to the metrics. */
  skippedCounted: number;
}

export interface SourceOperatorOptions {
  readonly connector: SourceConnector;
  readonly udfs: UdfImplementations;
  /** Most rows asked of a reader per read (fewer when the chain is slow: AdaptiveBatchSize). */
  readonly batchSize: number;
  /** A job warning from this subtask (a process warning without it). */
  readonly warn?: (message: string) => void;
  /** The job's watermark alignment coordinator, for a source in an alignment group. */
  readonly alignment?: AlignmentCoordinatorPort;
}

/**
 * Reads the splits assigned to this subtask (round robin over the source's splits at the first start; from
 * operator state after a restore) one batch at a time, rotating over splits. Watermarks come from the source's
 * `WATERMARK FOR` expression (which already subtracts the allowed delay): per split the maximum seen so far;
 * the subtask's watermark is the minimum over splits that are neither finished nor idle (WatermarkTracker).
 * When every remaining split is idle (it returned nothing for SPLIT_IDLE_TIMEOUT_MS) the subtask reports itself
 * idle so it does not hold back downstream. A source in a watermark alignment group (source-alignment.ts) reads
 * only while its watermark is within the group's max drift of the group's minimum; paused, it waits for the
 * coordinator's next announcement (mail to its task) and serves barriers and other mail meanwhile.
 */
export class SourceOperatorImpl implements SourceOperator {
  readonly isSource = true;
  idleWaitMs = 0;
  private ctx!: OperatorContext;
  private splitState!: OperatorListState<SplitState>;
  /** `known-splits`, for a source that declares it; then `known` holds its splits by id. */
  private knownState: OperatorListState<KnownSplit> | undefined;
  private readonly known = new Map<string, KnownSplit>();
  private readonly splits: ActiveSplit[] = [];
  private finishedSplits: SplitState[] = [];
  private tracker = new WatermarkTracker(0);
  private next = 0;
  private emittedWatermark = -Infinity;
  private emittedIdle = false;
  private readonly watermarkOf: ((row: readonly unknown[]) => unknown) | undefined;
  /** Continuous sources: when to look for new splits next. */
  private nextDiscoveryAt = Infinity;
  /** Per checkpoint taken and not yet complete, the positions its barrier recorded, for readers that want to know. */
  private readonly pendingPositions = new Map<number, { readonly reader: SplitReader; readonly position: SplitPosition }[]>();
  private readonly batchSize: AdaptiveBatchSize;
  private alignment: SourceAlignment | undefined;

  constructor(
    private readonly operator: Operator,
    private readonly options: SourceOperatorOptions,
  ) {
    const spec = operator.spec;
    if (spec.kind !== 'source') throw new Error(`${operator.id} is not a source`);
    this.watermarkOf = spec.watermark === undefined ? undefined : compileExpr(spec.watermark.expr, options.udfs);
    this.batchSize = new AdaptiveBatchSize(options.batchSize);
  }

  async open(ctx: OperatorContext): Promise<void> {
    this.ctx = ctx;
    this.splitState = ctx.getOperatorListState<SplitState>(SOURCE_SPLITS_STATE.name);
    this.knownState = this.operator.state.some((s) => s.name === SOURCE_KNOWN_SPLITS) ? ctx.getOperatorListState<KnownSplit>(SOURCE_KNOWN_SPLITS) : undefined;
    let assigned: SplitState[];
    if (!ctx.isRestored) {
      const all = await this.options.connector.enumerateSplits();
      assigned = all.filter((_, i) => i % ctx.parallelism === ctx.subtask).map((split) => ({ split, position: null, finished: false }));
      // Every subtask lists the same splits and reads its share: each knows them all.
      for (const split of all) this.known.set(split.id, { split, position: null });
    } else {
      assigned = [...this.splitState.get()];
      if (this.knownState !== undefined) assigned.push(...(await this.newSinceSnapshot(assigned)));
    }
    this.finishedSplits = assigned.filter((s) => s.finished);
    const open = assigned.filter((s) => !s.finished);
    this.tracker = new WatermarkTracker(0);
    for (const { split, position } of open) this.addSplit(split, position);
    const settings = alignmentSettingsOf(this.operator);
    if (settings !== undefined && this.options.alignment !== undefined) {
      this.alignment = new SourceAlignment(settings, alignmentMember(this.operator.id, ctx.subtask), this.options.alignment);
      ctx.metrics.alignmentPausedMs = 0;
    }
    const { connector } = this.options;
    if (!connector.bounded && connector.discoverNewSplits !== undefined) {
      this.nextDiscoveryAt = ctx.clock.now() + (connector.discoveryIntervalMs ?? 1000);
    }
  }

  /**
   * A restored source that tracks known splits: the splits listed now that no subtask read before and whose id
   * hashes to this subtask (as discovery deals them), counted in the metrics. A snapshot written before the source
   * tracked them (no `known-splits` list) cannot tell new splits from those other subtasks read: none is added, and
   * the next checkpoint starts the record.
   */
  private async newSinceSnapshot(assigned: readonly SplitState[]): Promise<SplitState[]> {
    const knownState = this.knownState!;
    for (const item of knownState.get()) this.known.set(item.split.id, item);
    for (const { split, position } of assigned) this.known.set(split.id, { split, position });
    if (!knownState.restored) {
      if (this.ctx.subtask === 0) {
        const warn = this.options.warn ?? ((message: string) => process.emitWarning(message, 'SluiceWarning'));
        warn(
          'the snapshot restored predates the record of the splits this source read, so splits added since (new files) are not read in this run; ' +
            'they are from the next restore on (of a checkpoint this run takes)',
        );
      }
      return [];
    }
    const { parallelism, subtask } = this.ctx;
    const fresh: SplitState[] = [];
    for (const split of await this.options.connector.enumerateSplits()) {
      if (this.known.has(split.id) || murmur3String(split.id) % parallelism !== subtask) continue;
      this.known.set(split.id, { split, position: null });
      fresh.push({ split, position: null, finished: false });
    }
    this.ctx.metrics.newSplits = fresh.length;
    return fresh;
  }

  private addSplit(split: SplitDescriptor, position: SplitPosition | null): void {
    const reader = this.options.connector.createReader(split, position ?? undefined);
    const input = this.tracker.addInput();
    this.splits.push({ split, reader, input, finished: false, idleUntil: 0, idleSince: undefined, watermark: -Infinity, skippedCounted: 0 });
  }

  /**
   * Every subtask asks its own connector instance for new splits and keeps those that hash to it, so that no
   * coordinator is needed and each split is read by exactly one subtask.
   */
  private async discover(): Promise<void> {
    const { connector } = this.options;
    const known = new Set([...this.splits.map((s) => s.split.id), ...this.finishedSplits.map((s) => s.split.id), ...this.known.keys()]);
    for (const split of await connector.discoverNewSplits!()) {
      if (known.has(split.id) || murmur3String(split.id) % this.ctx.parallelism !== this.ctx.subtask) continue;
      this.addSplit(split, null);
      if (this.knownState !== undefined) this.known.set(split.id, { split, position: null });
    }
    this.nextDiscoveryAt = this.ctx.clock.now() + (connector.discoveryIntervalMs ?? 1000);
  }

  pollNext(): SourcePollResult | Promise<SourcePollResult> {
    if (this.ctx.clock.now() >= this.nextDiscoveryAt) return this.discover().then(() => this.pollNext());
    if (this.alignment !== undefined && this.pausedForAlignment(this.alignment)) {
      this.idleWaitMs = Math.max(0, this.nextDiscoveryAt - this.ctx.clock.now());
      return 'idle';
    }
    const split = this.pickSplit();
    if (split === undefined) {
      if (this.allFinished()) return 'end';
      // No split left to read (a rescaling restore dealt this subtask none, or all ended while new ones may still
      // be discovered): nothing here can hold back downstream watermarks.
      if (!this.emittedIdle && this.splits.every((s) => s.finished)) {
        this.emittedIdle = true;
        this.ctx.emitIdle(true);
        this.alignment?.update(this.tracker.current, true, this.ctx.clock.now());
      }
      this.idleWaitMs = Math.min(this.idleWaitMs, Math.max(0, this.nextDiscoveryAt - this.ctx.clock.now()));
      return 'idle';
    }
    const position = this.describePosition(split);
    const maxRows = this.batchSize.current;
    const startedAt = performance.now();
    let result: ReadResult | undefined;
    try {
      result = split.reader.readSync?.(maxRows);
    } catch (error) {
      throw this.readFailure(position, error);
    }
    if (result !== undefined) return this.accept(split, result, position, startedAt);
    return split.reader.read(maxRows).then(
      // Waiting for an asynchronous read is not work of this step: it is timed from the rows' arrival.
      (r) => this.accept(split, r, position, performance.now()),
      (error: unknown) => {
        throw this.readFailure(position, error);
      },
    );
  }

  /** Whether the source waits for its alignment group; the metrics show the pause. */
  private pausedForAlignment(alignment: SourceAlignment): boolean {
    const at = performance.now();
    const paused = alignment.mustPause(this.tracker.current, this.emittedIdle, this.ctx.clock.now(), at);
    this.ctx.metrics.alignmentPaused = paused;
    this.ctx.metrics.alignmentPausedMs = alignment.pausedMsAt(at);
    return paused;
  }

  /** The group's minimum watermark moved (delivered as mail to this subtask's task). */
  onAlignmentAnnouncement(announcement: AlignmentAnnouncement): void {
    if (this.alignment === undefined) return;
    this.alignment.onAnnouncement(announcement);
    // A member now holding the group back reports what it has not reported yet.
    this.alignment.update(this.tracker.current, this.emittedIdle, this.ctx.clock.now());
  }

  /** A split that cannot be read is named as the failure's origin, not the split whose rows came last. */
  private readFailure(position: string, error: unknown): unknown {
    this.ctx.setRecordOrigin(`source ${position}`);
    return error;
  }

  /** The next split to read in rotation, skipping finished ones and idle ones whose wait is not over. */
  private pickSplit(): ActiveSplit | undefined {
    const now = this.ctx.clock.now();
    const n = this.splits.length;
    let soonest = Infinity;
    for (let tried = 0; tried < n; tried++) {
      const split = this.splits[this.next]!;
      this.next = (this.next + 1) % n;
      if (split.finished) continue;
      if (split.idleUntil <= now) return split;
      soonest = Math.min(soonest, split.idleUntil);
    }
    this.idleWaitMs = soonest === Infinity ? Infinity : soonest - now;
    return undefined;
  }

  /** Bounded sources end when their splits do; continuous ones never end. */
  private allFinished(): boolean {
    return this.nextDiscoveryAt === Infinity && this.splits.every((s) => s.finished);
  }

  private describePosition(split: ActiveSplit): string {
    return `split '${split.split.id}' after position ${JSON.stringify(split.reader.position())}`;
  }

  /** Takes a read's rows through the chain (synchronously) and times the step from `startedAt` for the batch size. */
  private accept(split: ActiveSplit, result: ReadResult, position: string, startedAt: number): SourcePollResult {
    const { rows } = result;
    const skipped = split.reader.skippedRows;
    if (skipped !== split.skippedCounted) {
      this.ctx.metrics.parseErrorsSkipped += skipped - split.skippedCounted;
      split.skippedCounted = skipped;
    }
    if (rows.length > 0) {
      this.ctx.setRecordOrigin(`source ${position}`);
      if (this.watermarkOf !== undefined) this.advanceSplitWatermark(split, rows);
      this.ctx.output(makeBatch(rows, result.kinds));
      this.batchSize.record(rows.length, performance.now() - startedAt);
    }
    switch (result.status) {
      case 'end':
        split.finished = true;
        this.tracker.onEnd(split.input);
        this.finishedSplits.push({ split: split.split, position: split.reader.position(), finished: true });
        void split.reader.close();
        break;
      case 'idle':
      case 'more': {
        const now = this.ctx.clock.now();
        if (result.status === 'idle') split.idleUntil = now + (result.retryAfterMs ?? 0);
        split.idleSince = rows.length > 0 || result.status === 'more' ? undefined : (split.idleSince ?? now);
        this.tracker.onStatus(split.input, split.idleSince !== undefined && now - split.idleSince >= SPLIT_IDLE_TIMEOUT_MS);
        break;
      }
    }
    this.emitProgress();
    return this.allFinished() ? 'end' : 'more';
  }

  private advanceSplitWatermark(split: ActiveSplit, rows: readonly (readonly unknown[])[]): void {
    const watermarkOf = this.watermarkOf!;
    let max = split.watermark;
    let i = 0;
    try {
      for (; i < rows.length; i++) {
        const value = watermarkOf(rows[i]!);
        if (typeof value === 'number' && value > max) max = value;
      }
    } catch (error) {
      throw new RowFailure(rows[i]!, error);
    }
    if (max > split.watermark) {
      split.watermark = max;
      this.tracker.onWatermark(split.input, max);
    }
  }

  /** Emits the subtask's watermark and idleness when they changed. */
  private emitProgress(): void {
    if (this.watermarkOf !== undefined && this.tracker.current > this.emittedWatermark && this.tracker.current < Infinity) {
      this.emittedWatermark = this.tracker.current;
      this.ctx.emitWatermark(this.emittedWatermark);
    }
    if (this.tracker.idle !== this.emittedIdle) {
      this.emittedIdle = this.tracker.idle;
      this.ctx.emitIdle(this.emittedIdle);
    }
    this.alignment?.update(this.tracker.current, this.emittedIdle, this.ctx.clock.now());
  }

  snapshotState(checkpointId: number): void {
    const open: SplitState[] = [];
    const notified: { readonly reader: SplitReader; readonly position: SplitPosition }[] = [];
    for (const s of this.splits) {
      if (s.finished) continue;
      const position = s.reader.position();
      open.push({ split: s.split, position, finished: false });
      if (s.reader.notifyCheckpointComplete !== undefined) notified.push({ reader: s.reader, position });
    }
    this.splitState.update([...this.finishedSplits, ...open]);
    if (notified.length > 0) this.pendingPositions.set(checkpointId, notified);
    if (this.knownState === undefined) return;
    // The splits read here with their latest positions (a file's identity and size among them), the others as known.
    const own = new Map<string, KnownSplit>([...this.finishedSplits, ...open].map(({ split, position }) => [split.id, { split, position }]));
    this.knownState.update([...this.known.values()].map((item) => own.get(item.split.id) ?? item));
  }

  /** Tells readers of the positions recorded by `checkpointId`; older pending checkpoints are subsumed by it. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const positions = this.pendingPositions.get(checkpointId);
    for (const id of [...this.pendingPositions.keys()]) if (id <= checkpointId) this.pendingPositions.delete(id);
    if (positions === undefined) return;
    for (const { reader, position } of positions) await reader.notifyCheckpointComplete!(position);
  }

  async close(): Promise<void> {
    // A closed subtask no longer holds its group back, whether it finished or was stopped.
    this.alignment?.update(Infinity, false, this.ctx.clock.now());
    await Promise.all(this.splits.filter((s) => !s.finished).map((s) => s.reader.close()));
  }
}
