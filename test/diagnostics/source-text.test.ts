import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceText } from '../../compiler/diagnostics/source-text.js';

describe('SourceText', () => {
  it('gives 1-based lines and columns, a tab counting one column', () => {
    const source = new SourceText('job.pipe', 'SET a;\n\tFROM x\n');
    expect(source.positionAt(0)).toEqual({ line: 1, column: 1 });
    expect(source.positionAt(6)).toEqual({ line: 1, column: 7 });
    expect(source.positionAt(7)).toEqual({ line: 2, column: 1 });
    expect(source.positionAt(9)).toEqual({ line: 2, column: 3 });
    expect(source.positionAt(source.text.length)).toEqual({ line: 3, column: 1 });
  });

  it('returns line texts without CRLF line breaks', () => {
    const source = new SourceText('job.pipe', 'first\r\nsecond\r\n\r\nlast');
    expect([1, 2, 3, 4].map((line) => source.lineText(line))).toEqual(['first', 'second', '', 'last']);
    expect(source.positionAt(source.text.indexOf('second') + 2)).toEqual({ line: 2, column: 3 });
  });

  it('clamps offsets and lines outside the text', () => {
    const source = new SourceText('job.pipe', 'ab\ncd');
    expect(source.positionAt(-5)).toEqual({ line: 1, column: 1 });
    expect(source.positionAt(99)).toEqual({ line: 2, column: 3 });
    expect(source.lineText(0)).toBe('');
    expect(source.lineText(3)).toBe('');
  });

  it('agrees with counting line breaks one by one', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\t', ' ') });
    fc.assert(
      fc.property(text, fc.nat(), (content, n) => {
        const offset = content.length === 0 ? 0 : n % (content.length + 1);
        const before = content.slice(0, offset);
        const line = before.split('\n').length;
        const column = offset - (before.lastIndexOf('\n') + 1) + 1;
        expect(new SourceText('f', content).positionAt(offset)).toEqual({ line, column });
      }),
    );
  });
});
