/**
 * One canonical JSON text per value, so that equal documents are equal texts and a checksum of the text is a
 * checksum of the content: object keys sorted at every level (`leading` keys of the root first, in their order,
 * so a reader sees at once what a file holds), numbers JSON cannot spell tagged as value-codec.ts does
 * (`{"$num":"NaN"}`; operator state items may hold them). `space` indents as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown, space?: number, leading: readonly string[] = []): string {
  const root = value !== null && typeof value === 'object' && !Array.isArray(value) ? withLeadingKeys(value as Record<string, unknown>, leading) : value;
  return JSON.stringify(root, (key, v: unknown) => (key === '' ? v : canonicalValue(v)), space);
}

function withLeadingKeys(record: Record<string, unknown>, leading: readonly string[]): Record<string, unknown> {
  const first = leading.filter((k) => k in record);
  const rest = sortKeys(record);
  return Object.fromEntries([...first.map((k) => [k, record[k]]), ...Object.entries(rest).filter(([k]) => !first.includes(k))]);
}

function canonicalValue(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $num: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return sortKeys(value as Record<string, unknown>);
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
}
