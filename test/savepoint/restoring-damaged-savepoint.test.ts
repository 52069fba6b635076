import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { restoringSetUp } from './restoring-harness.js';

const counts = `|> AGGREGATE COUNT(*) AS bids GROUP BY auction UID 'bids-per-auction'`;

describe('restoring from a damaged savepoint', () => {
  const setUp = restoringSetUp();
  let savepoint: string;
  beforeAll(async () => {
    savepoint = await setUp.stopWithSavepoint('out', counts);
  });
  afterAll(setUp.dispose);

  /** A copy of the savepoint with `damage` applied, restored into a sink that must stay untouched. */
  async function restoreDamaged(name: string, damage: (copy: string) => void) {
    const copy = path.join(setUp.dir, name);
    fs.cpSync(savepoint, copy, { recursive: true });
    damage(copy);
    const failure = await setUp.resume(`${name}-out`, counts, copy).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Job.start locks the sink's directory first, but removes it again when it refuses: nothing is left.
    expect(fs.existsSync(path.join(setUp.dir, `${name}-out`))).toBe(false);
    return failure;
  }

  it('fails before any data is touched, naming the truncated _metadata', async () => {
    const failure = await restoreDamaged('truncated', (copy) => {
      const metadata = path.join(copy, '_metadata');
      fs.truncateSync(metadata, Math.floor(fs.statSync(metadata).size / 2));
    });
    expect(failure).toBeInstanceOf(DiagnosticError);
    expect((failure as DiagnosticError).code).toBe('SLC9140');
    expect((failure as Error).message).toMatch(/truncated\/_metadata is not valid JSON/);
  });

  it('fails before any data is touched, naming the edited state file', async () => {
    let edited = '';
    const failure = await restoreDamaged('edited', (copy) => {
      const file = fs.readdirSync(copy, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.kstate'))!;
      const full = path.join(file.parentPath, file.name);
      edited = full;
      // One bit: a checkpoint's state file is binary (metadata version 7), a text edit may change nothing.
      const bytes = fs.readFileSync(full);
      bytes[bytes.length >> 1]! ^= 0x01;
      fs.writeFileSync(full, bytes);
    });
    expect(failure).toBeInstanceOf(DiagnosticError);
    expect((failure as DiagnosticError).code).toBe('SLC9140');
    expect((failure as Error).message).toContain(`state file ${edited} does not match its sha256 checksum`);
  });
});
