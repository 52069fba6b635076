/**
 * Barrier alignment for one task's input channels, as a pure state machine (no I/O, no clock): the task feeds it
 * the barriers, cancellation markers and ends of input it reads and carries out the actions it returns, in order.
 *
 * EXACTLY_ONCE (Flink's SingleCheckpointBarrierHandler): one checkpoint aligns at a time. A channel that delivered
 * barrier n is blocked until barrier n has arrived on every channel; then the task snapshots and every channel
 * is unblocked. A barrier of a newer checkpoint subsumes the one aligning (it is aborted); barriers of
 * checkpoints already snapshotted or aborted are obsolete and ignored.
 *
 * AT_LEAST_ONCE (Flink's CheckpointBarrierTracker): nothing is blocked; several checkpoints may be counting at
 * once, and a checkpoint is snapshotted when its barrier has arrived on every channel, which aborts the older
 * ones still counting.
 *
 * Unaligned (EXACTLY_ONCE only, FLIP-76): a barrier the task passes as unaligned — every one, or once the
 * checkpoint's alignment lasted too long (`timeout`) — is snapshotted at once without blocking anything; the
 * channels whose barrier has not arrived yet are then recorded (their batches are in flight for this checkpoint)
 * until it arrives, and the checkpoint is persisted when the last one did.
 *
 * In both modes a channel that ended counts as having delivered every later barrier: everything it sent came
 * before them.
 */

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

/** Why a checkpoint stopped aligning without a snapshot. */
export type AlignmentAbortReason = 'subsumed' | 'cancelled';

export type AlignmentAction =
  /** The first barrier of `checkpointId` arrived: alignment time starts. */
  | { readonly type: 'started'; readonly checkpointId: number }
  | { readonly type: 'block'; readonly channel: number }
  | { readonly type: 'unblock-all' }
  /**
   * Snapshot, then forward the barrier: every channel delivered it, or (unaligned) the first did and `record` lists
   * the channels whose batches are in flight until their barrier arrives.
   */
  | { readonly type: 'snapshot'; readonly checkpointId: number; readonly record: readonly number[] }
  /** Unaligned: the barrier (or the end) arrived on a recorded channel: what it delivered later is not in flight. */
  | { readonly type: 'recorded'; readonly channel: number }
  /** Unaligned: the last recorded channel delivered the barrier; the snapshot and its in-flight batches are complete. */
  | { readonly type: 'persist'; readonly checkpointId: number }
  /** The checkpoint will not be snapshotted here: forward a cancellation marker. */
  | { readonly type: 'abort'; readonly checkpointId: number; readonly reason: AlignmentAbortReason };

interface Counting {
  readonly checkpointId: number;
  readonly arrived: Set<number>;
  /** Snapshotted unaligned: the channels not in `arrived` are being recorded. */
  unaligned: boolean;
}

export class BarrierAligner {
  private readonly ended: boolean[];
  private readonly blocked: boolean[];
  /** Checkpoints whose barriers are arriving, oldest first (at most one in EXACTLY_ONCE mode). */
  private counting: Counting[] = [];
  /** The newest checkpoint snapshotted or aborted here: barriers up to it are obsolete. */
  private latestHandled = 0;

  constructor(
    readonly channels: number,
    readonly mode: CheckpointingMode,
  ) {
    this.ended = Array.from({ length: channels }, () => false);
    this.blocked = Array.from({ length: channels }, () => false);
  }

  isBlocked(channel: number): boolean {
    return this.blocked[channel]!;
  }

  /** The checkpoint aligning (EXACTLY_ONCE) or the oldest one counting (AT_LEAST_ONCE). */
  get pendingCheckpoint(): number | undefined {
    return this.counting[0]?.checkpointId;
  }

  /** Whether the pending checkpoint's barrier has arrived on (or is implied by the end of) every channel. */
  allArrived(): boolean {
    const pending = this.counting[0];
    return pending !== undefined && this.complete(pending);
  }

  /** `unaligned`: the task passes this barrier unaligned (EXACTLY_ONCE only; a savepoint's never is). */
  onBarrier(channel: number, checkpointId: number, unaligned = false): AlignmentAction[] {
    if (checkpointId <= this.latestHandled || this.ended[channel]) return [];
    const actions: AlignmentAction[] = [];
    let entry = this.counting.find((c) => c.checkpointId === checkpointId);
    if (entry === undefined) {
      if (this.mode === 'EXACTLY_ONCE' && this.counting.length > 0) {
        // A newer barrier before the pending one completed: that one can no longer align here.
        actions.push(...this.abortCounting(this.counting[0]!, 'subsumed'));
      }
      entry = { checkpointId, arrived: new Set(), unaligned: false };
      this.counting.push(entry);
      this.counting.sort((a, b) => a.checkpointId - b.checkpointId);
      actions.push({ type: 'started', checkpointId });
    }
    entry.arrived.add(channel);
    if (entry.unaligned) actions.push({ type: 'recorded', channel });
    if (this.complete(entry)) {
      actions.push(...this.completeUpTo(entry));
    } else if (entry.unaligned) {
      // Recording the channels still to deliver it.
    } else if (this.mode === 'EXACTLY_ONCE' && unaligned) {
      actions.push(...this.snapshotUnaligned(entry));
    } else if (this.mode === 'EXACTLY_ONCE') {
      this.blocked[channel] = true;
      actions.push({ type: 'block', channel });
    }
    return actions;
  }

  /**
   * The aligned-checkpoint timeout of `checkpointId` ran out: if it is still aligning here, it is snapshotted now,
   * unaligned, and the channels still to deliver its barrier are recorded.
   */
  onAlignmentTimeout(checkpointId: number): AlignmentAction[] {
    const entry = this.counting[0];
    if (this.mode !== 'EXACTLY_ONCE' || entry === undefined || entry.checkpointId !== checkpointId || entry.unaligned) return [];
    return this.snapshotUnaligned(entry);
  }

  /** Call before the task handles the end of input of `channel`: the snapshot it may complete precedes it. */
  onEndOfInput(channel: number): AlignmentAction[] {
    if (this.ended[channel]) return [];
    this.ended[channel] = true;
    this.blocked[channel] = false;
    const actions: AlignmentAction[] = [];
    for (const entry of this.counting) if (entry.unaligned && !entry.arrived.has(channel)) actions.push({ type: 'recorded', channel });
    const newestComplete = [...this.counting].reverse().find((c) => this.complete(c));
    if (newestComplete !== undefined) actions.push(...this.completeUpTo(newestComplete));
    return actions;
  }

  /** A cancellation marker for `checkpointId` arrived on a channel: upstream gave that checkpoint up. */
  onCancellationMarker(checkpointId: number): AlignmentAction[] {
    return this.abort(checkpointId, 'cancelled');
  }

  /**
   * The checkpoint was aborted (by the coordinator, or upstream): stop aligning it and older ones, and treat its
   * barriers as obsolete. Returns an `abort` action for it the first time only, so a marker is forwarded once.
   */
  abort(checkpointId: number, reason: AlignmentAbortReason = 'cancelled'): AlignmentAction[] {
    if (checkpointId <= this.latestHandled) return [];
    const actions: AlignmentAction[] = [];
    for (const entry of this.counting.filter((c) => c.checkpointId < checkpointId)) actions.push(...this.abortCounting(entry, 'subsumed'));
    const entry = this.counting.find((c) => c.checkpointId === checkpointId);
    if (entry !== undefined) actions.push(...this.abortCounting(entry, reason));
    else actions.push({ type: 'abort', checkpointId, reason });
    this.latestHandled = checkpointId;
    return actions;
  }

  private complete(entry: Counting): boolean {
    for (let channel = 0; channel < this.channels; channel++) {
      if (!this.ended[channel] && !entry.arrived.has(channel)) return false;
    }
    return true;
  }

  /** Snapshots `entry` (persists it, when it was snapshotted unaligned); older checkpoints still counting are subsumed by it. */
  private completeUpTo(entry: Counting): AlignmentAction[] {
    const actions: AlignmentAction[] = [];
    for (const older of this.counting.filter((c) => c.checkpointId < entry.checkpointId)) actions.push(...this.abortCounting(older, 'subsumed'));
    this.counting = this.counting.filter((c) => c !== entry);
    this.latestHandled = Math.max(this.latestHandled, entry.checkpointId);
    actions.push(entry.unaligned ? { type: 'persist', checkpointId: entry.checkpointId } : { type: 'snapshot', checkpointId: entry.checkpointId, record: [] });
    actions.push(...this.unblockAll());
    return actions;
  }

  /** Snapshots `entry` now; what the channels yet to deliver its barrier send until they do is in flight. */
  private snapshotUnaligned(entry: Counting): AlignmentAction[] {
    entry.unaligned = true;
    const record: number[] = [];
    for (let channel = 0; channel < this.channels; channel++) if (!this.ended[channel] && !entry.arrived.has(channel)) record.push(channel);
    return [{ type: 'snapshot', checkpointId: entry.checkpointId, record }, ...this.unblockAll()];
  }

  private abortCounting(entry: Counting, reason: AlignmentAbortReason): AlignmentAction[] {
    this.counting = this.counting.filter((c) => c !== entry);
    this.latestHandled = Math.max(this.latestHandled, entry.checkpointId);
    return [{ type: 'abort', checkpointId: entry.checkpointId, reason }, ...this.unblockAll()];
  }

  private unblockAll(): AlignmentAction[] {
    if (!this.blocked.includes(true)) return [];
    this.blocked.fill(false);
    return [{ type: 'unblock-all' }];
  }
}
