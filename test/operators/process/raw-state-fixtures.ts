import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessFunction } from '../../../runtime/operators/process/process-function.js';

/** fixtures/file-totals.mjs: a process function whose running totals per file live in raw state. */
export const FILE_TOTALS = fileURLToPath(new URL('./fixtures/file-totals.mjs', import.meta.url));

export async function fileTotals(): Promise<ProcessFunction> {
  return ((await import(FILE_TOTALS)) as { processes: ProcessFunction[] }).processes[0]!;
}

/** Two input files, `a.jsonl` and `b.jsonl`, each with rows n = 1 … rows. */
export function writeTotalsInput(dir: string, rows: number): void {
  fs.mkdirSync(path.join(dir, 'in'), { recursive: true });
  for (const file of ['a', 'b']) {
    const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ file, n: i + 1 }));
    fs.writeFileSync(path.join(dir, 'in', `${file}.jsonl`), `${lines.join('\n')}\n`);
  }
}

/** The pipeline `totals`: the input files through file_totals into an exactly-once file sink; `settings` as SET statements. */
export function totalsPipe(dir: string, settings: Record<string, string>, createFunction = false): string {
  return [
    "SET 'pipeline.name' = 'totals';",
    `SET 'state.checkpoints.dir' = '${path.join(dir, 'checkpoints')}';`,
    ...Object.entries(settings).map(([key, value]) => `SET '${key}' = '${value}';`),
    ...(createFunction ? [`CREATE FUNCTION file_totals AS '${FILE_TOTALS}';`] : []),
    `CREATE SOURCE nums (file STRING NOT NULL, n BIGINT NOT NULL) WITH ('connector' = 'file', 'path' = '${path.join(dir, 'in')}/', 'format' = 'jsonl', 'mode' = 'bounded') UID 'nums';`,
    `CREATE SINK out WITH ('connector' = 'file', 'path' = '${path.join(dir, 'out')}', 'format' = 'jsonl', 'sink.semantic' = 'exactly-once') UID 'out';`,
    "INSERT INTO out FROM nums |> PROCESS file_totals(file, n) UID 'totals';",
  ].join('\n');
}

/** What an undisturbed run commits, sorted by file and n: each row with the running total of its file. */
export function expectedTotals(rows: number): Record<string, unknown>[] {
  return ['a', 'b'].flatMap((file) => Array.from({ length: rows }, (_, i) => ({ file, n: i + 1, total: ((i + 1) * (i + 2)) / 2 })));
}
