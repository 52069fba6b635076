import * as z from 'zod';

/** How much one state of one operator holds in a snapshot, summed over its subtasks. */
export const StateSizeSchema = z.object({
  bytes: z.number().int().min(0),
  /** Entries (keyed state) or list items (operator state), when the snapshot records them. */
  entries: z.number().int().min(0).optional(),
});
export type StateSize = z.infer<typeof StateSizeSchema>;

/**
 * What a savepoint (or retained checkpoint) actually holds, per operator uid and state name: enough for the
 * compatibility check to skip empty state as Flink does, and to say how much would be lost. A state the job
 * declared but the snapshot does not list is empty.
 */
export const SnapshotContentsSchema = z.object({
  /** The max parallelism the keyed state was split by (the number of key groups). */
  maxParallelism: z.number().int().min(1),
  operators: z.record(z.string(), z.object({ states: z.record(z.string(), StateSizeSchema) })),
});
export type SnapshotContents = z.infer<typeof SnapshotContentsSchema>;

export function isEmptyState(size: StateSize | undefined): boolean {
  return size === undefined || size.bytes === 0 || size.entries === 0;
}

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB'] as const;

/** `12 entries, 3.4 kB`, `812 bytes`: a state's size in messages. */
export function formatStateSize(size: StateSize | undefined): string {
  if (size === undefined || isEmptyState(size)) return 'empty';
  const { bytes, entries } = size;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const amount = unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
  return entries === undefined ? amount : `${entries} ${entries === 1 ? 'entry' : 'entries'}, ${amount}`;
}
