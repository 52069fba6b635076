/**
 * Rows per second of the file source's split reader (reading, record splitting and decoding of jsonl and csv),
 * for ASCII input and for input with multi-byte UTF-8 text. `tsx bench/file-source.ts [rows]`. Not a test:
 * numbers vary by machine, and the files are read from the OS page cache.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIGINT, DOUBLE, STRING, TIMESTAMP3, type Field } from '../compiler/types/sql-type.js';
import { createFileSource } from '../connectors/file/source.js';
import { ConnectorOptions } from '../runtime/connectors/options.js';

const rows = Number(process.argv[2] ?? 1_000_000);

const FIELDS: readonly Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'name', type: STRING, nullable: true },
  { name: 'price', type: DOUBLE, nullable: true },
  { name: 'ts', type: TIMESTAMP3, nullable: false },
];

function content(format: 'jsonl' | 'csv', unicode: boolean): string {
  const lines: string[] = format === 'csv' ? ['id,name,price,ts'] : [];
  const word = unicode ? 'größe-été' : 'bidder';
  for (let i = 0; i < rows; i++) {
    const ts = `2024-05-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.123Z`;
    lines.push(
      format === 'csv' ? `${i},${word}-${i},${(i % 1000) + 0.5},${ts}` : `{"id":${i},"name":"${word}-${i}","price":${(i % 1000) + 0.5},"ts":"${ts}"}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function measure(dir: string, format: 'jsonl' | 'csv', unicode: boolean): Promise<number> {
  const path = join(dir, `input-${unicode ? 'utf8' : 'ascii'}.${format}`);
  writeFileSync(path, content(format, unicode));
  const source = createFileSource(new ConnectorOptions('file', { path, format }), { fields: [...FIELDS], changelog: 'append' });
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const reader = source.createReader((await source.enumerateSplits())[0]!);
    const start = process.cpuUsage();
    let count = 0;
    for (;;) {
      const result = await reader.read(1024);
      count += result.rows.length;
      if (result.status === 'end') break;
    }
    const used = process.cpuUsage(start);
    await reader.close();
    if (count !== rows) throw new Error(`read ${count} rows, expected ${rows}`);
    best = Math.max(best, count / ((used.user + used.system) / 1e6));
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-file-'));
try {
  console.log(`file source, ${rows.toLocaleString('en-US')} rows of 4 columns, best of 3, rows per CPU-second:`);
  for (const format of ['jsonl', 'csv'] as const) {
    for (const unicode of [false, true]) {
      const rate = await measure(dir, format, unicode);
      console.log(`  ${format.padEnd(5)} ${unicode ? 'UTF-8' : 'ASCII'}  ${Math.round(rate / 1000).toLocaleString('en-US')} K rows/s`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
