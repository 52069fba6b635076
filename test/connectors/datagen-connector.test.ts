import { describe, expect, it } from 'vitest';
import { validateSource } from '../../compiler/connectors/validate-source.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { BIGINT, BOOLEAN, decimal, DOUBLE, INT, STRING, TIMESTAMP3, type Field } from '../../compiler/types/sql-type.js';
import { blamed } from '../diagnostics/blamed.js';
import { sourceFixture } from './statements.js';

const columns: Field[] = [
  { name: 'id', type: BIGINT, nullable: false },
  { name: 'qty', type: INT, nullable: true },
  { name: 'amount', type: decimal(6, 2), nullable: true },
  { name: 'score', type: DOUBLE, nullable: true },
  { name: 'label', type: STRING, nullable: true },
  { name: 'flag', type: BOOLEAN, nullable: true },
  { name: 'at', type: TIMESTAMP3, nullable: true },
];

function datagen(options: string) {
  const { text, stmt } = sourceFixture(`'connector' = 'datagen'${options === '' ? '' : `, ${options}`}`, columns);
  const bag = new DiagnosticBag('job.pipe');
  return { options: validateSource(stmt, columns, bag)?.options, blamed: blamed(bag.items, text) };
}

describe('datagen source', () => {
  it('fills a random generator with the range of its type for every column', () => {
    expect(datagen("'number-of-rows' = '1000', 'rows-per-second' = '50'")).toEqual({
      options: {
        'fields.amount.kind': 'random',
        'fields.amount.max': '9999.99',
        'fields.amount.min': '0',
        'fields.amount.null-rate': '0',
        'fields.at.kind': 'random',
        'fields.at.max': String(Date.UTC(2025, 0, 1) - 1),
        'fields.at.min': String(Date.UTC(2024, 0, 1)),
        'fields.at.null-rate': '0',
        'fields.flag.kind': 'random',
        'fields.flag.null-rate': '0',
        'fields.id.kind': 'random',
        'fields.id.max': String(Number.MAX_SAFE_INTEGER),
        'fields.id.min': String(Number.MIN_SAFE_INTEGER),
        'fields.id.null-rate': '0',
        'fields.label.kind': 'random',
        'fields.label.length': '100',
        'fields.label.null-rate': '0',
        'fields.qty.kind': 'random',
        'fields.qty.max': '2147483647',
        'fields.qty.min': '-2147483648',
        'fields.qty.null-rate': '0',
        'fields.score.kind': 'random',
        'fields.score.max': '1',
        'fields.score.min': '0',
        'fields.score.null-rate': '0',
        'number-of-rows': '1000',
        'rows-per-second': '50',
      },
      blamed: [],
    });
  });

  it('reads a sequence and per-column bounds', () => {
    const { options, blamed: diagnostics } = datagen(
      "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '500', 'fields.qty.min' = '1', 'fields.qty.max' = '9', 'fields.label.null-rate' = '0.25', 'fields.at.min' = '2026-03-01 12:00:00', 'fields.at.max' = '2026-03-01T12:00:01.5Z'",
    );
    expect(diagnostics).toEqual([]);
    expect(options).toMatchObject({
      'fields.id.kind': 'sequence',
      'fields.id.start': '1',
      'fields.id.end': '500',
      'fields.qty.min': '1',
      'fields.qty.max': '9',
      'fields.label.null-rate': '0.25',
      'fields.at.min': String(Date.UTC(2026, 2, 1, 12)),
      'fields.at.max': String(Date.UTC(2026, 2, 1, 12, 0, 1, 500)),
    });
    expect(options).not.toHaveProperty('fields.id.min');
  });

  it('needs start and end for a sequence', () => {
    expect(datagen("'fields.qty.kind' = 'sequence', 'fields.qty.start' = '1'").blamed).toEqual([
      {
        code: 'SLC4020',
        at: "'sequence'",
        message: "column 'qty' is generated as a sequence but 'fields.qty.end' is not set",
        help: "add 'fields.qty.end' = '…': a sequence counts from 'fields.qty.start' to 'fields.qty.end'",
      },
    ]);
  });

  it('rejects options for undeclared columns, suggesting the closest declared one', () => {
    expect(datagen("'fields.qtty.min' = '1'").blamed).toEqual([
      {
        code: 'SLC4018',
        at: "'fields.qtty.min'",
        message: "'fields.qtty.min' refers to column 'qtty', which source 'src' does not declare",
        help: "did you mean 'qty'? the declared columns are: id, qty, amount, score, label, flag, at",
      },
    ]);
  });

  it('rejects a misspelt field option, suggesting the right one', () => {
    expect(datagen("'fields.qty.maximum' = '1'").blamed.map((b) => [b.code, b.help])).toEqual([
      ['SLC4012', expect.stringMatching(/^did you mean 'fields\.qty\.max'\? its options are: connector, number-of-rows, rows-per-second, fields\.<column>\.kind/)],
    ]);
  });

  it('rejects options that do not fit the column type', () => {
    expect(datagen("'fields.label.min' = '1', 'fields.flag.kind' = 'sequence', 'fields.qty.max' = '1.5'").blamed).toEqual([
      {
        code: 'SLC4019',
        at: "'fields.label.min'",
        message: "'fields.label.min' does not apply to column 'label' of type STRING",
        help: "'min' applies to INT, BIGINT, DOUBLE, DECIMAL and TIMESTAMP(3) columns",
      },
      {
        code: 'SLC4014',
        at: "'sequence'",
        message: "invalid value 'sequence' for option 'fields.flag.kind'",
        help: "'fields.flag.kind' accepts one of 'random'",
      },
      {
        code: 'SLC4014',
        at: "'1.5'",
        message: "invalid value '1.5' for option 'fields.qty.max'",
        help: "'fields.qty.max' accepts a whole number from -2147483648 to 2147483647",
      },
    ]);
  });

  it('rejects a timestamp bound that is not a date', () => {
    expect(datagen("'fields.at.max' = '2024-02-30 00:00:00'").blamed.map((b) => [b.code, b.at])).toEqual([['SLC4014', "'2024-02-30 00:00:00'"]]);
  });

  it('rejects an empty range, blaming the bound that was written', () => {
    expect(datagen("'fields.score.min' = '5'").blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC4021', "'5'", "'fields.score.min' (5) is greater than 'fields.score.max' (1)"],
    ]);
    expect(datagen("'fields.id.kind' = 'sequence', 'fields.id.start' = '9', 'fields.id.end' = '1'").blamed.map((b) => b.code)).toEqual(['SLC4021']);
  });

  it('rejects NULLs in a NOT NULL column', () => {
    expect(datagen("'fields.id.null-rate' = '0.1'").blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC4022', "'0.1'", "'fields.id.null-rate' is 0.1, but column 'id' is NOT NULL"],
    ]);
  });

  it('warns about options of the other generator kind', () => {
    expect(datagen("'fields.qty.min' = '1', 'fields.qty.kind' = 'sequence', 'fields.qty.start' = '1', 'fields.qty.end' = '2', 'fields.score.start' = '1'").blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC4017', "'fields.qty.min'", "option 'fields.qty.min' has no effect when 'fields.qty.kind' is 'sequence'"],
      ['SLC4017', "'fields.score.start'", "option 'fields.score.start' has no effect when 'fields.score.kind' is 'random'"],
    ]);
  });
});
