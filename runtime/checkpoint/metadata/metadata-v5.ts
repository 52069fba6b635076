import * as z from 'zod';
import { MetadataV4FileSchema, MetadataV4Schema, type MetadataV4 } from './metadata-v4.js';

/**
 * Version 5 of `_metadata`: unaligned checkpoints (docs/checkpoints.md). `unaligned` says whether any task took
 * its part unaligned; `channelState` lists, apart from operator state, the records that were in flight in a
 * channel — one network connection of an edge, from one subtask to one — when the checkpoint was taken: `input`
 * files were recorded by the receiving task (batches that arrived before that channel's barrier but after its
 * snapshot), `output` files by the sending task (batches its barrier overtook in the channel). A restore replays
 * them into the channel, input first, before any new record. Each file is one batch per line, in channel order
 * (channel-state.ts).
 * Version 4 checkpoints were all aligned and hold none.
 */
export const ChannelStateFileSchema = z.object({
  /** The job-graph edge: its operators' ids and the input of `to` it feeds. */
  edge: z.object({ from: z.string(), to: z.string(), toInput: z.number().int().min(0) }),
  fromSubtask: z.number().int().min(0),
  toSubtask: z.number().int().min(0),
  direction: z.enum(['input', 'output']),
  /** Relative to the directory of `_metadata`, '/'-separated. */
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  batches: z.number().int().min(1),
  records: z.number().int().min(0),
});
export type ChannelStateFile = z.infer<typeof ChannelStateFileSchema>;

const additions = { version: z.literal(5), unaligned: z.boolean(), channelState: z.array(ChannelStateFileSchema) };

export const MetadataV5Schema = MetadataV4Schema.extend(additions);
export type MetadataV5 = z.infer<typeof MetadataV5Schema>;

export const MetadataV5FileSchema = MetadataV4FileSchema.extend(additions);

/** Version 4 checkpoints were aligned: no records in flight. */
export function migrateV4(previous: unknown): MetadataV5 {
  return { ...(previous as MetadataV4), version: 5, unaligned: false, channelState: [] };
}
