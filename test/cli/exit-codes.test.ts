import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { createDiagnostic, type DiagnosticDefinition } from '../../compiler/diagnostics/diagnostic.js';

const diagnostic = (code: string, severity: DiagnosticDefinition['severity']) =>
  createDiagnostic({ code, severity, message: 'm' }, 'job.pipe', { offset: 0, length: 0 });

describe('exitCodeFor', () => {
  it('is 0 for success, warnings included', () => {
    expect(exitCodeFor({ kind: 'completed', diagnostics: [] })).toBe(0);
    expect(exitCodeFor({ kind: 'completed', diagnostics: [diagnostic('SLC2010', 'warning'), diagnostic('SLC9001', 'warning')] })).toBe(0);
    expect(exitCodeFor({ kind: 'help-shown' })).toBe(0);
  });

  it('is 1 for errors in the program', () => {
    expect(exitCodeFor({ kind: 'completed', diagnostics: [diagnostic('SLC3001', 'error'), diagnostic('SLC2010', 'warning')] })).toBe(1);
  });

  it('is 2 for usage and I/O errors, whatever else was reported', () => {
    expect(exitCodeFor({ kind: 'completed', diagnostics: [diagnostic('SLC3001', 'error'), diagnostic('SLC9004', 'error')] })).toBe(2);
    expect(exitCodeFor({ kind: 'bad-arguments' })).toBe(2);
  });

  it('is 3 for an internal error', () => {
    expect(exitCodeFor({ kind: 'internal-error' })).toBe(3);
  });
});
