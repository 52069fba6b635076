import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What a file sink's directory holds as committed output, read strictly: every committed part file must end with
 * a newline and every line must be a JSON object, so a truncated commit fails the check instead of being counted.
 */
export function committedJsonRows(dir: string): Record<string, unknown>[] {
  if (!existsSync(dir)) return [];
  const rows: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir).filter((n) => n.startsWith('part-'))) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    if (text !== '' && !text.endsWith('\n')) throw new Error(`committed file ${name} ends in the middle of a line`);
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        rows.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        throw new Error(`committed file ${name} holds a line that is not JSON: ${line.slice(0, 80)}`);
      }
    }
  }
  return rows;
}

/**
 * Folds an upsert changelog (`op` = +I, -U, +U, -D) into its final table, checking that it is consistent in any
 * file order: per key, every retracted value was emitted, and exactly one emitted value is never retracted. A
 * stretch of changes committed twice retracts a value twice and fails here, so does a lost one.
 */
export function foldChangelog(rows: readonly Record<string, unknown>[], keyColumn: string): Map<string, string> {
  const open = new Map<string, Map<string, number>>();
  const count = (key: string, value: string, delta: number) => {
    const values = open.get(key) ?? new Map<string, number>();
    open.set(key, values);
    values.set(value, (values.get(value) ?? 0) + delta);
  };
  for (const { op, ...row } of rows) {
    const key = String(row[keyColumn]);
    const value = JSON.stringify(row);
    if (op === '+I' || op === '+U') count(key, value, 1);
    else if (op === '-U' || op === '-D') count(key, value, -1);
    else throw new Error(`unexpected op ${String(op)}`);
  }
  const table = new Map<string, string>();
  for (const [key, values] of open) {
    const remaining: string[] = [];
    for (const [value, n] of values) {
      if (n < 0) throw new Error(`key ${key}: ${value} retracted ${-n} more time(s) than emitted (output committed twice)`);
      for (let i = 0; i < n; i++) remaining.push(value);
    }
    if (remaining.length > 1) throw new Error(`key ${key}: ${remaining.length} current values (a retraction is missing): ${remaining.join(' ')}`);
    if (remaining.length === 1) table.set(key, remaining[0]!);
  }
  return table;
}
