import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompile, type CompileFlags } from '../../cli/commands/compile.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { CompatibilityReportSchema } from '../../compiler/savepoint-compat/report.js';
import { Job } from '../../runtime/execution/job.js';
import { captureIO } from '../cli/capture-io.js';
import { compilePipe } from '../operators/run-pipe.js';

/** Bids counted per auction; `tail` is what follows the aggregate, `groupBy` its key. */
function bidsPipe({ groupBy = 'auction', tail = '', aggUid = 'bids-per-auction' } = {}): string {
  return `
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, date_time TIMESTAMP(3), extra STRING)
  WITH ('connector' = 'nexmark', 'table' = 'bid', 'events' = '2000') UID 'bid-source';
CREATE SINK out WITH ('connector' = 'file', 'path' = 'out', 'format' = 'jsonl') UID 'out';
INSERT INTO out
FROM bid
|> AGGREGATE COUNT(*) AS bids GROUP BY ${groupBy} UID '${aggUid}'
${tail};
`;
}

const defaults: CompileFlags = { set: [], color: false, quiet: false };

describe('sluice compile --check-savepoint on a retained checkpoint written by a real run', () => {
  let dir: string;
  let snapshot: string;
  beforeAll(async () => {
    // One run serves every test; each test works on the snapshot or a copy of it.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-check-cli-'));
    const checkpoints = path.join(dir, 'checkpoints');
    const graph = compilePipe(bidsPipe().replace("'out'", `'${path.join(dir, 'out-0')}'`), {
      settings: { 'parallelism.default': '2', 'state.checkpoints.dir': checkpoints, 'execution.checkpointing.interval': '1h' },
    });
    await (await Job.start(graph)).done;
    const jobDir = path.join(checkpoints, graph.config.pipelineName);
    snapshot = path.join(jobDir, fs.readdirSync(jobDir).find((n) => n.startsWith('chk-'))!);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes `text` as job.pipe in the test directory and runs the command in-process on `target`. */
  async function check(text: string, target: string, flags: Partial<CompileFlags> = {}) {
    fs.writeFileSync(path.join(dir, 'job.pipe'), text);
    const io = captureIO(dir);
    const code = exitCodeFor(await runCompile('job.pipe', { ...defaults, checkSavepoint: target, ...flags }, io));
    return { code, stdout: io.out(), stderr: io.err() };
  }

  /** A copy of the snapshot under `name`, for tests that damage it. */
  function copyOf(name: string): string {
    const copy = path.join(dir, name);
    fs.cpSync(snapshot, copy, { recursive: true });
    return copy;
  }

  it('exits 0 and prints the table for a stateless step added after the aggregate', async () => {
    const { code, stdout, stderr } = await check(bidsPipe({ tail: '|> WHERE bids > 1' }), snapshot);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/bids-per-auction/);
    expect(stdout).toMatch(/restored/);
    expect(stdout).toMatch(/compatible/);
    expect(stdout).not.toMatch(/incompatible/);
  });

  it('exits 1 with the changed key as the reason for a changed GROUP BY', async () => {
    const { code, stdout, stderr } = await check(bidsPipe({ groupBy: 'bidder' }), snapshot);
    expect(code).toBe(1);
    expect(stdout).toMatch(/incompatible/);
    expect(stdout).toMatch(/SLC6004/);
    expect(stderr).toMatch(/SLC6090[\s\S]*'bids-per-auction'/);
  });

  it('prints JSON that parses with CompatibilityReportSchema under --json', async () => {
    const { code, stdout, stderr } = await check(bidsPipe({ groupBy: 'bidder' }), snapshot, { json: true });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const report = CompatibilityReportSchema.parse(JSON.parse(stdout));
    expect(report.restorable).toBe(false);
    expect(report.operators.find((op) => op.uid === 'bids-per-auction')!.states.some((s) => s.verdict === 'incompatible')).toBe(true);
  });

  it('turns a dropped uid from failing to passing with -n', async () => {
    const renamed = bidsPipe({ aggUid: 'renamed' });
    const refused = await check(renamed, snapshot);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/bids-per-auction[\s\S]*dropped/);
    const allowed = await check(renamed, snapshot, { allowNonRestoredState: true });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/dropped/);
  });

  it('accepts the _metadata file as well as the directory, relative to the working directory', async () => {
    const { code, stdout } = await check(bidsPipe(), path.relative(dir, path.join(snapshot, '_metadata')));
    expect(code).toBe(0);
    expect(stdout).toMatch(/bids-per-auction +restored/);
  });

  describe('exits 2 naming the file, without a stack trace, for', () => {
    const expectUsageError = (result: { code: number; stdout: string; stderr: string }, file: string | RegExp) => {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(file);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    };

    it('a missing directory', async () => {
      expectUsageError(await check(bidsPipe(), path.join(dir, 'no-such-savepoint')), /no-such-savepoint does not exist/);
    });

    it('a truncated _metadata', async () => {
      const copy = copyOf('truncated');
      const metadata = path.join(copy, '_metadata');
      const bytes = fs.readFileSync(metadata);
      fs.writeFileSync(metadata, bytes.subarray(0, Math.floor(bytes.length / 2)));
      expectUsageError(await check(bidsPipe(), copy), /truncated\/_metadata is not valid JSON[\s\S]*truncated/);
    });

    it('an edited state file (checksum)', async () => {
      const copy = copyOf('edited');
      const file = fs.readdirSync(copy, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.kstate'))!;
      const full = path.join(file.parentPath, file.name);
      // One bit (a checkpoint's state files are binary, metadata version 7).
      const bytes = fs.readFileSync(full);
      bytes[bytes.length >> 1]! ^= 0x01;
      fs.writeFileSync(full, bytes);
      expectUsageError(await check(bidsPipe(), copy), new RegExp(`is not a usable savepoint or checkpoint: .*state file .*${file.name} does not match its sha256 checksum`));
    });

    it('a directory that is not a snapshot', async () => {
      const plain = path.join(dir, 'plain');
      fs.mkdirSync(plain, { recursive: true });
      fs.writeFileSync(path.join(plain, 'notes.txt'), 'hello');
      expectUsageError(await check(bidsPipe(), plain), /plain holds no _metadata file/);
    });
  });
});
