import type { RecordBatch } from '../record-batch.js';

/**
 * What travels through a channel, in order. Everything here is plain data (structured-clone safe), so a channel
 * can later cross a worker-thread boundary unchanged.
 *
 * - `batch`: records.
 * - `watermark`: no later record on this channel has an event time below `timestamp` (`+Infinity` at the end).
 * - `status`: the producer became idle (emits no records or watermarks for now, so it must not hold back
 *   downstream watermarks) or active again. Flink's WatermarkStatus.
 * - `barrier`: checkpoint barrier `checkpointId` (issue 4): never overtakes records.
 * - `cancel-barrier`: checkpoint `checkpointId` was given up upstream; a task aligning it stops waiting for it.
 * - `end-of-input`: the producer will send nothing more; the last event of every channel.
 */
export type ChannelEvent =
  | { readonly type: 'batch'; readonly batch: RecordBatch }
  | { readonly type: 'watermark'; readonly timestamp: number }
  | { readonly type: 'status'; readonly idle: boolean }
  | { readonly type: 'barrier'; readonly checkpointId: number; readonly timestamp: number; readonly savepoint: boolean }
  | { readonly type: 'cancel-barrier'; readonly checkpointId: number }
  | { readonly type: 'end-of-input' };

export type ChannelEventType = ChannelEvent['type'];

export const END_OF_INPUT: ChannelEvent = { type: 'end-of-input' };
export const IDLE: ChannelEvent = { type: 'status', idle: true };
export const ACTIVE: ChannelEvent = { type: 'status', idle: false };

export type BarrierEvent = Extract<ChannelEvent, { type: 'barrier' }>;
