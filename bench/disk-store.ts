/**
 * Which embedded store should carry the `disk` backend: the candidates behind the access pattern the backend has
 * when its cell cache misses. Each candidate runs in a fresh child process:
 *
 * - load: N cells written in write-back batches (the backend flushes dirty cells in batches of its cache's size);
 * - update: 2·N point reads of uniformly random cells, each written back in the next batch (a cache that always
 *   misses: every access reaches the store);
 * - snapshot: a consistent read view opened, then scanned in key order while the writer keeps updating, and the
 *   scan checked to see none of those writes.
 *
 * Keys are the backend's binary cell keys (key group, state, key, namespace, map key: disk/cell-key.ts), values
 * the JSON text of a small accumulator. Prints operations per CPU-second and peak RSS. A candidate whose package is
 * not installed is skipped with the command that installs it (only `lmdb` is a dependency of Sluice).
 *
 *   npx tsx bench/disk-store.ts [--keys 1000000] [--store lmdb,rocksdb,sqlite] [--json]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeCellKey, keyGroupPrefix } from '../runtime/state/disk/cell-key.js';

const STORES = ['lmdb', 'rocksdb', 'sqlite'] as const;
type StoreName = (typeof STORES)[number];

const PACKAGES: Readonly<Record<StoreName, string>> = { lmdb: 'lmdb', rocksdb: '@nxtedition/rocksdb', sqlite: 'better-sqlite3' };

/** Writes applied in one batch (one transaction), as the backend's write-back does. */
const BATCH = 10_000;
const MAX_PARALLELISM = 128;

/** The same synchronous operations for every store. */
interface Store {
  get(key: Buffer): string | undefined;
  /** Applies puts (a string) and deletes (undefined) atomically. */
  write(batch: ReadonlyArray<readonly [Buffer, string | undefined]>): void;
  /** A consistent read view of the whole store: cells in key order. */
  snapshot(): { rows(): Iterable<readonly [Buffer, string]>; release(): void };
  close(): Promise<void> | void;
}

const require = createRequire(import.meta.url);

async function openStore(name: StoreName, dir: string): Promise<Store> {
  switch (name) {
    case 'lmdb': {
      const { open } = require('lmdb') as typeof import('lmdb');
      const db = open({ path: path.join(dir, 'lmdb'), keyEncoding: 'binary', encoding: 'string', noSync: true, noMetaSync: true, cache: false, compression: false });
      return {
        get: (key) => db.get(key) as string | undefined,
        write: (batch) =>
          db.transactionSync(() => {
            for (const [key, value] of batch) {
              if (value === undefined) db.removeSync(key);
              else db.putSync(key, value);
            }
          }),
        snapshot: () => {
          const transaction = db.useReadTransaction();
          return {
            rows: function* () {
              for (const { key, value } of db.getRange({ transaction } as never)) yield [key as Buffer, value as string] as const;
            },
            release: () => transaction.done(),
          };
        },
        close: () => db.close(),
      };
    }
    case 'rocksdb': {
      // Only the package's undocumented synchronous entry points (`_getManySync`, `_writeSync`, `_nextvSync`) avoid a
      // promise per operation; its public API is asynchronous.
      const { RocksLevel } = require('@nxtedition/rocksdb') as { RocksLevel: new (location: string, options?: object) => RocksDb };
      const db = new RocksLevel(path.join(dir, 'rocksdb'), { keyEncoding: 'buffer', valueEncoding: 'utf8' });
      await db.open();
      const bufferOptions = { keyEncoding: 'buffer', valueEncoding: 'buffer' };
      return {
        get: (key) => {
          const value = db._getManySync([key], bufferOptions)[0];
          return value === undefined || value === null ? undefined : value.toString();
        },
        write: (batch) => {
          const chained = db._chainedBatch();
          for (const [key, value] of batch) {
            if (value === undefined) chained._del(key);
            else chained._put(key, value);
          }
          chained._writeSync();
        },
        snapshot: () => {
          // A RocksDB iterator reads from an implicit snapshot taken when it is created.
          const iterator = db._iterator({ keys: true, values: true, ...bufferOptions });
          return {
            rows: function* () {
              for (;;) {
                const { rows, finished } = iterator._nextvSync(1000);
                for (let i = 0; i < rows.length; i += 2) yield [rows[i] as Buffer, (rows[i + 1] as Buffer).toString()] as const;
                if (finished) return;
              }
            },
            release: () => iterator._closeSync(),
          };
        },
        close: () => db.close(),
      };
    }
    case 'sqlite': {
      const Database = require('better-sqlite3') as new (file: string, options?: object) => SqliteDb;
      const file = path.join(dir, 'state.sqlite');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.exec('CREATE TABLE state (k BLOB PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID');
      const get = db.prepare('SELECT v FROM state WHERE k = ?');
      const upsert = db.prepare('INSERT OR REPLACE INTO state (k, v) VALUES (?, ?)');
      const remove = db.prepare('DELETE FROM state WHERE k = ?');
      const write = db.transaction((batch: ReadonlyArray<readonly [Buffer, string | undefined]>) => {
        for (const [key, value] of batch) {
          if (value === undefined) remove.run(key);
          else upsert.run(key, value);
        }
      });
      return {
        get: (key) => (get.get(key) as { v: string } | undefined)?.v,
        write: (batch) => write(batch),
        snapshot: () => {
          // WAL: a read transaction on a second connection is a snapshot.
          const reader = new Database(file, { readonly: true });
          reader.exec('BEGIN');
          reader.prepare('SELECT count(*) FROM state').get();
          return {
            rows: function* () {
              for (const row of reader.prepare('SELECT k, v FROM state ORDER BY k').iterate() as Iterable<{ k: Buffer; v: string }>) yield [row.k, row.v] as const;
            },
            release: () => {
              reader.exec('COMMIT');
              reader.close();
            },
          };
        },
        close: () => {
          db.close();
        },
      };
    }
  }
}

/** The parts of better-sqlite3 used here (not a dependency of Sluice, so neither are its types). */
interface SqliteDb {
  pragma(text: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown; iterate(...params: unknown[]): Iterable<unknown> };
  transaction<A extends unknown[]>(body: (...args: A) => void): (...args: A) => void;
  close(): void;
}

/** The parts of @nxtedition/rocksdb used here (it ships no types). */
interface RocksDb {
  open(): Promise<void>;
  close(): Promise<void>;
  _getManySync(keys: Buffer[], options: object): (Buffer | null | undefined)[];
  _chainedBatch(): { _put(key: Buffer, value: string): void; _del(key: Buffer): void; _writeSync(): void };
  _iterator(options: object): { _nextvSync(size: number): { rows: unknown[]; finished: boolean }; _closeSync(): void };
}

interface Result {
  readonly store: StoreName;
  readonly keys: number;
  readonly loadPerSecond: number;
  readonly updatePerSecond: number;
  readonly scanPerSecond: number;
  readonly snapshotConsistent: boolean;
  readonly peakRssMiB: number;
  readonly storeMiB: number;
}

/** Cell keys of a GROUP BY: key `[i]` in its key group, state `agg`, no namespace. */
function cellKey(i: number): Buffer {
  const key = `[${i}]`;
  return encodeCellKey(i % MAX_PARALLELISM, 'agg', key, '', undefined);
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function measure(name: StoreName, keys: number): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-store-'));
  let peakRss = process.memoryUsage.rss();
  const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
  try {
    const store = await openStore(name, dir);
    let batch: (readonly [Buffer, string | undefined])[] = [];
    const flush = () => {
      store.write(batch);
      batch = [];
      sampleRss();
    };

    let since = process.cpuUsage();
    for (let i = 0; i < keys; i++) {
      batch.push([cellKey(i), `[${i},1]`]);
      if (batch.length === BATCH) flush();
    }
    flush();
    const loadPerSecond = keys / cpuSeconds(since);

    // A fixed-seed LCG: the same key sequence for every store.
    let seed = 42;
    const updates = 2 * keys;
    since = process.cpuUsage();
    for (let n = 0; n < updates; n++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const key = cellKey(seed % keys);
      const stored = store.get(key);
      const [sum, count] = stored === undefined ? [0, 0] : (JSON.parse(stored) as [number, number]);
      batch.push([key, `[${sum + 1},${count + 1}]`]);
      if (batch.length === BATCH) flush();
    }
    flush();
    const updatePerSecond = updates / cpuSeconds(since);

    // The snapshot must not see writes made after it was taken: every cell written after it gets a marker value.
    const snapshot = store.snapshot();
    since = process.cpuUsage();
    let scanned = 0;
    let consistent = true;
    let previous: Buffer | undefined;
    for (const [key, value] of snapshot.rows()) {
      if (value.startsWith('"after')) consistent = false;
      if (previous !== undefined && Buffer.compare(previous, key) >= 0) consistent = false;
      previous = key;
      scanned++;
      if (scanned % 100 === 0) {
        batch.push([cellKey((scanned * 7919) % keys), `"after ${scanned}"`], [cellKey(keys + scanned), '"after, new"']);
        if (batch.length >= BATCH) flush();
      }
    }
    flush();
    const scanPerSecond = scanned / cpuSeconds(since);
    snapshot.release();
    await store.close();
    return {
      store: name,
      keys,
      loadPerSecond,
      updatePerSecond,
      scanPerSecond,
      snapshotConsistent: consistent && scanned === keys,
      peakRssMiB: peakRss / 2 ** 20,
      storeMiB: directoryBytes(dir) / 2 ** 20,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Key groups are the first two bytes of a cell key, so a key-group range is one key range (checked here). */
function checkKeyGroupOrder(): void {
  const a = encodeCellKey(1, 'z', '[9]', '', undefined);
  const b = encodeCellKey(2, 'a', '[0]', '', undefined);
  if (Buffer.compare(a, b) >= 0 || !a.subarray(0, 2).equals(keyGroupPrefix(1))) throw new Error('cell keys do not sort by key group first');
}

const THIS_FILE = fileURLToPath(import.meta.url);

function measureInChild(name: StoreName, keys: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, THIS_FILE, '--child', name, '--keys', String(keys)], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

function installed(name: StoreName): boolean {
  try {
    require.resolve(PACKAGES[name]);
    return true;
  } catch {
    return false;
  }
}

const thousands = (n: number) => `${Math.round(n / 1000).toLocaleString('en-US')} K/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      keys: { type: 'string', default: '1000000' },
      store: { type: 'string', default: STORES.join(',') },
      json: { type: 'boolean', default: false },
    },
  });
  const keys = Number(values.keys);
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await measure(values.child as StoreName, keys)));
    return;
  }
  checkKeyGroupOrder();
  console.log(`Disk stores: ${keys.toLocaleString('en-US')} cells, write-back batches of ${BATCH.toLocaleString('en-US')}, per CPU-second`);
  console.log(['store'.padEnd(8), 'load'.padStart(10), 'get+put'.padStart(10), 'scan'.padStart(10), 'snapshot'.padStart(10), 'peak RSS'.padStart(10), 'on disk'.padStart(10)].join('  '));
  for (const name of values.store.split(',').map((s) => s.trim()) as StoreName[]) {
    if (!STORES.includes(name)) throw new Error(`--store: unknown store '${name}' (known: ${STORES.join(', ')})`);
    if (!installed(name)) {
      console.log(`${name.padEnd(8)}  skipped: not installed (npm install --no-save ${PACKAGES[name]})`);
      continue;
    }
    const r = await measureInChild(name, keys);
    console.log(
      [
        name.padEnd(8),
        thousands(r.loadPerSecond).padStart(10),
        thousands(r.updatePerSecond).padStart(10),
        thousands(r.scanPerSecond).padStart(10),
        (r.snapshotConsistent ? 'consistent' : 'BROKEN').padStart(10),
        `${Math.round(r.peakRssMiB)} MiB`.padStart(10),
        `${Math.round(r.storeMiB)} MiB`.padStart(10),
      ].join('  '),
    );
    if (values.json) console.log(JSON.stringify(r));
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
