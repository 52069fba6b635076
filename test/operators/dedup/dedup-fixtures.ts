/** The program and input the deduplicate tests share. */

export const EVENTS_SOURCE = `
CREATE SOURCE events (
  id STRING,
  region STRING,
  v BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'file', 'path' = 'fed-by-the-test.jsonl') UID 'events';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
`;

/** events |> DEDUPLICATE BY `keys` KEEP `keep` → out. */
export function dedupProgram(keys: string, keep: 'FIRST' | 'LAST'): string {
  return `${EVENTS_SOURCE}\nINSERT INTO out FROM events |> DEDUPLICATE BY ${keys} KEEP ${keep} UID 'dedup';`;
}

/**
 * `count` rows [id, region, v, ts] over 40 ids (every 13th id NULL), v = the row's index; times wander back and
 * forth by up to 3 s around a rising trend (out of order within the watermark delay and beyond it).
 */
export function events(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const id = i % 13 === 0 ? null : `id-${(i * 7) % 40}`;
    return [id, i % 3 === 0 ? 'eu' : 'us', i, 1_000_000 + i * 100 + ((i * 37) % 7) * 500 - 1_500];
  });
}

/** Rows keyed by `keyOf`, first or last of each key in input order (the reference implementation). */
export function expectedDedup(rows: readonly unknown[][], keyOf: (row: readonly unknown[]) => string, keep: 'first' | 'last'): unknown[][] {
  const chosen = new Map<string, unknown[]>();
  for (const row of rows) if (keep === 'last' || !chosen.has(keyOf(row))) chosen.set(keyOf(row), row);
  return [...chosen.values()];
}
