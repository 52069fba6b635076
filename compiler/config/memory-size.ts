/**
 * Memory sizes as Flink writes them (`MemorySize`): `'128MB'`, `'64 kb'`, `'1g'`, a plain number of bytes.
 * Units are binary (1 kb = 1024 bytes), as in Flink.
 */
const BYTES_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ...['b', 'bytes'].map((u) => [u, 1] as const),
  ...['k', 'kb', 'kibibytes'].map((u) => [u, 1024] as const),
  ...['m', 'mb', 'mebibytes'].map((u) => [u, 1024 ** 2] as const),
  ...['g', 'gb', 'gibibytes'].map((u) => [u, 1024 ** 3] as const),
  ...['t', 'tb', 'tebibytes'].map((u) => [u, 1024 ** 4] as const),
]);

const SIZE = /^\s*(\d+)\s*([a-z]*)\s*$/i;

/** Bytes, or undefined when `text` is not a memory size. */
export function parseMemorySize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (match === null) return undefined;
  const unit = match[2]!.toLowerCase();
  const factor = unit === '' ? 1 : BYTES_PER_UNIT.get(unit);
  if (factor === undefined) return undefined;
  const bytes = Number(match[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
