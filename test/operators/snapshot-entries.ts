/** One entry line of a keyed snapshot's text form (state/snapshot-format.ts), as the tests read it. */
export type EntryLine = [keyGroup: number, state: string, key: string, namespace: string, value: unknown, mapKey?: unknown];

/** The entries of a snapshot's text form (the header and the end line left out) of the states `states`. */
export function entryLines(text: string, states: ReadonlySet<string>): EntryLine[] {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('['))
    .map((line) => JSON.parse(line) as EntryLine)
    .filter((entry) => states.has(entry[1]));
}
