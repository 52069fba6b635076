import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { createDiagnostic, type Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostic, formatDiagnostics, formatSummary } from '../../compiler/diagnostics/format.js';
import { SourceText } from '../../compiler/diagnostics/source-text.js';

const text = [
  "SET 'pipeline.name' = 'orders';",
  "SET 'execution.checkpointing.intervall' = '10 s';",
  "SET 'parallelism.default' = '2';",
  "SET 'parallelism.default' = '3';",
  'CREATE SOURCE bids (price BIGINT)',
  "  WITH ('connector' = 'nexmark',",
  "        'table' = 'bid') UID 'bids';",
  '',
  '',
  '',
  "\tSET 'mode' = 'x';",
].join('\n');
const source = new SourceText('job.pipe', text);

/** A span over the first occurrence of `fragment`, or `length` characters from it. */
function at(fragment: string, length = fragment.length, from = 0) {
  return { offset: text.indexOf(fragment, from), length };
}

const unknownKey = createDiagnostic(Diagnostics.UnknownSetting, 'job.pipe', at("'execution.checkpointing.intervall'"), {
  key: 'execution.checkpointing.intervall',
  suggestion: "did you mean 'execution.checkpointing.interval'? ",
});

describe('formatDiagnostic', () => {
  it('prints the header, location, source line, carets under the span and the help', () => {
    expect(formatDiagnostic(unknownKey, source)).toMatchInlineSnapshot(`
      "error[SLC4001]: unknown configuration key 'execution.checkpointing.intervall'
       --> job.pipe:2:5
        |
      2 | SET 'execution.checkpointing.intervall' = '10 s';
        |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        = help: did you mean 'execution.checkpointing.interval'? the accepted keys are listed in the README, section 'Configuration'

      "
    `);
  });

  it('prints related locations as note blocks, with one gutter width for all', () => {
    const second = text.indexOf("'parallelism.default'", text.indexOf("'parallelism.default'") + 1);
    const duplicate = createDiagnostic(
      Diagnostics.DuplicateSetting,
      'job.pipe',
      { offset: second, length: 21 },
      { key: 'parallelism.default', value: '3' },
      [{ message: "'parallelism.default' is first set here", file: 'job.pipe', span: at("'parallelism.default'") }],
    );
    expect(formatDiagnostic(duplicate, source)).toMatchInlineSnapshot(`
      "warning[SLC4003]: 'parallelism.default' is set more than once; the last value, '3', wins
       --> job.pipe:4:5
        |
      4 | SET 'parallelism.default' = '3';
        |     ^^^^^^^^^^^^^^^^^^^^^
        = help: remove the earlier SET of 'parallelism.default'
      note: 'parallelism.default' is first set here
       --> job.pipe:3:5
        |
      3 | SET 'parallelism.default' = '2';
        |     ^^^^^^^^^^^^^^^^^^^^^

      "
    `);
  });

  it('underlines a multi-line span to the end of its first line', () => {
    const missing = createDiagnostic(Diagnostics.MissingConnectorOption, 'job.pipe', at("WITH ('connector'", 60), {
      connector: 'nexmark',
      key: 'events',
      description: 'Total events.',
    });
    expect(formatDiagnostic(missing, source)).toMatchInlineSnapshot(`
      "error[SLC4013]: the 'nexmark' connector needs the option 'events'
       --> job.pipe:6:3
        |
      6 |   WITH ('connector' = 'nexmark',
        |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        = help: add 'events' = '…' to the WITH clause: Total events.

      "
    `);
  });

  it('gives a zero-length span one caret, keeps tabs in the caret line, and pads line numbers', () => {
    const d = createDiagnostic(Diagnostics.UnknownSetting, 'job.pipe', at("'mode'", 0), { key: 'mode', suggestion: '' });
    expect(formatDiagnostic(d, source)).toMatchInlineSnapshot(`
      "error[SLC4001]: unknown configuration key 'mode'
        --> job.pipe:11:6
         |
      11 | 	SET 'mode' = 'x';
         | 	    ^
         = help: the accepted keys are listed in the README, section 'Configuration'

      "
    `);
  });

  it('prints only the location when the source is not at hand (command line, files not loaded)', () => {
    const d = createDiagnostic(Diagnostics.MalformedSetFlag, '<command line>', { offset: 0, length: 0 }, { text: 'parallelism' });
    expect(formatDiagnostic(d, undefined)).toMatchInlineSnapshot(`
      "error[SLC9005]: --set expects key=value, got 'parallelism'
       --> <command line>
        = help: write it as --set 'key=value', e.g. --set 'execution.checkpointing.interval=10 s'

      "
    `);
  });

  it('colors only when asked', () => {
    expect(formatDiagnostic(unknownKey, source)).not.toContain('\x1b[');
    const colored = formatDiagnostic(unknownKey, source, { color: true });
    expect(colored).toContain('\x1b[31m');
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(formatDiagnostic(unknownKey, source));
  });
});

describe('formatDiagnostics', () => {
  it('prints in source order, each file with its own source', () => {
    const later = createDiagnostic(Diagnostics.InvalidSettingValue, 'job.pipe', at("'3'"), {
      key: 'parallelism.default',
      value: '3',
      accepted: 'a whole number',
    });
    const other = createDiagnostic(Diagnostics.InvalidSettingValue, 'other.pipe', { offset: 0, length: 1 }, {
      key: 'k',
      value: 'v',
      accepted: 'x',
    });
    const sources = new Map([
      ['job.pipe', source],
      ['other.pipe', new SourceText('other.pipe', 'v\n')],
    ]);
    const output = formatDiagnostics([other, later, unknownKey], sources);
    expect(output).toBe(
      formatDiagnostic(unknownKey, source) + formatDiagnostic(later, source) + formatDiagnostic(other, sources.get('other.pipe')),
    );
  });
});

describe('formatSummary', () => {
  const warning: Diagnostic = { ...unknownKey, severity: 'warning' };

  it('counts errors and warnings', () => {
    expect(formatSummary([unknownKey, unknownKey, warning], 'job.pipe')).toBe('error: could not compile job.pipe (2 errors, 1 warning)\n');
    expect(formatSummary([unknownKey], 'job.pipe')).toBe('error: could not compile job.pipe (1 error)\n');
    expect(formatSummary([warning, warning], 'job.pipe')).toBe('warning: job.pipe compiled with 2 warnings\n');
    expect(formatSummary([], 'job.pipe')).toBe('');
  });
});
