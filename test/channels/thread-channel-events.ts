import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { makeBatch } from '../../runtime/record-batch.js';

/**
 * A deterministic sequence of `batches` Nexmark-bid-like batches of varying sizes (one of them larger than a
 * small ring) with control events in between and end-of-input last, for the thread channel tests.
 */
export function* generatedEvents(batches: number): Generator<ChannelEvent> {
  let id = 0;
  for (let b = 0; b < batches; b++) {
    const size = b === 3 ? 5000 : (b * 37) % 300;
    const rows: unknown[][] = [];
    for (let r = 0; r < size; r++, id++) {
      rows.push([id, id % 1000, id * 1.5, b % 2 === 0 ? 'channel-é' : `c${id}`, 1_700_000_000_000 + id, id % 7 === 0 ? null : 'url', true]);
    }
    const kinds = b % 3 === 0 ? Uint8Array.from(rows, (_, i) => i % 4) : undefined;
    yield { type: 'batch', batch: makeBatch(rows, kinds) };
    if (b % 5 === 0) yield { type: 'watermark', timestamp: 1_700_000_000_000 + id };
    if (b % 7 === 0) yield { type: 'barrier', checkpointId: b, timestamp: b * 10, savepoint: b % 2 === 0 };
    if (b % 11 === 0) yield { type: 'status', idle: b % 2 === 0 };
    if (b % 13 === 0) yield { type: 'cancel-barrier', checkpointId: b };
  }
  yield { type: 'end-of-input' };
}
