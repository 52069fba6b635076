import * as z from 'zod';
import type { Edge } from '../../compiler/graph/job-graph.js';
import { makeBatch, type RecordBatch } from '../record-batch.js';
import { decodeJson, encodeJson } from '../state/value-codec.js';
import type { ChannelStateFile } from './metadata/metadata-v5.js';

/**
 * Records in flight in one channel of an unaligned checkpoint (metadata-v5.ts): batches a task received before
 * that channel's barrier but after its snapshot (`input`), or batches its barrier overtook in an output channel
 * (`output`). The batches are the ones that travelled (never modified once emitted), held until written.
 */
export interface InFlightChannel {
  readonly edge: ChannelStateFile['edge'];
  readonly fromSubtask: number;
  readonly toSubtask: number;
  readonly direction: ChannelStateFile['direction'];
  readonly batches: readonly RecordBatch[];
}

export function edgeRef(edge: Edge): ChannelStateFile['edge'] {
  return { from: edge.from, to: edge.to, toInput: edge.toInput };
}

/** The lines of a channel-state file: one batch each, in the value codec's JSON (exact for every SQL value). */
export function* inFlightLines(batches: readonly RecordBatch[]): Iterable<string> {
  for (const batch of batches) yield encodeJson(batch.kinds === undefined ? { rows: batch.rows } : { rows: batch.rows, kinds: [...batch.kinds] });
}

/**
 * One line of a channel-state file (metadata version 5 on): a batch, with its change kinds when it is not all
 * inserts. Defined here rather than beside the metadata's schemas, which a worker thread would otherwise build at
 * start only to replay records in flight (bench/README.md, `--scaling`).
 */
const InFlightBatchSchema = z.object({
  rows: z.array(z.array(z.unknown())),
  kinds: z.array(z.number().int().min(0).max(255)).optional(),
});

/** Parses a channel-state file's text; throws an Error naming the line when it is not one. */
export function parseInFlightLines(text: string): RecordBatch[] {
  const batches: RecordBatch[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    let parsed;
    try {
      parsed = InFlightBatchSchema.safeParse(decodeJson(line));
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    if (!parsed.success) throw new Error(`line ${i + 1} is not a batch of rows`);
    const { rows, kinds } = parsed.data;
    if (kinds !== undefined && kinds.length !== rows.length) throw new Error(`line ${i + 1} has ${kinds.length} change kinds for ${rows.length} rows`);
    batches.push(makeBatch(rows, kinds === undefined ? undefined : Uint8Array.from(kinds)));
  }
  return batches;
}

export function recordsIn(batches: readonly RecordBatch[]): number {
  let records = 0;
  for (const batch of batches) records += batch.rows.length;
  return records;
}
