import { describe, expect, it } from 'vitest';
import { validateSink } from '../../compiler/connectors/validate-sink.js';
import { validateSource } from '../../compiler/connectors/validate-source.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { blamed } from '../diagnostics/blamed.js';
import { sinkFixture, sourceFixture } from './statements.js';

function source(options: string) {
  const { text, stmt } = sourceFixture(`'connector' = 'file', ${options}`);
  const bag = new DiagnosticBag('job.pipe');
  return { options: validateSource(stmt, [], bag)?.options, blamed: blamed(bag.items, text) };
}

function sink(options: string) {
  const { text, stmt } = sinkFixture(`'connector' = 'file', ${options}`);
  const bag = new DiagnosticBag('job.pipe');
  return { options: validateSink(stmt, bag)?.options, blamed: blamed(bag.items, text) };
}

describe('file source', () => {
  it('fills every default and takes the format from the extension', () => {
    expect(source("'path' = 'data/orders.jsonl'")).toEqual({
      options: {
        'csv.field-delimiter': ',',
        'csv.header': 'true',
        format: 'jsonl',
        'format.ignore-parse-errors': 'false',
        mode: 'bounded',
        path: 'data/orders.jsonl',
        'source.monitor-interval': '1000',
      },
      blamed: [],
    });
    expect(source("'path' = 'in/Payments.CSV'").options?.['format']).toBe('csv');
  });

  it('needs a format when the path does not imply one', () => {
    expect(source("'path' = 'data/incoming'").blamed).toEqual([
      {
        code: 'SLC4016',
        at: "'data/incoming'",
        message: "cannot tell the format of 'data/incoming' from its name",
        help: "add 'format' = 'jsonl' or 'format' = 'csv' (only paths ending in .jsonl, .ndjson or .csv imply their format)",
      },
    ]);
    expect(source("'path' = 'data/incoming', 'format' = 'json'")).toMatchObject({ options: { format: 'jsonl' }, blamed: [] });
  });

  it('normalises durations to milliseconds and reads a tab delimiter', () => {
    const { options } = source("'path' = 'in', 'format' = 'csv', 'mode' = 'continuous', 'source.monitor-interval' = '5 s', 'csv.field-delimiter' = '\\t'");
    expect(options).toMatchObject({ mode: 'continuous', 'source.monitor-interval': '5000', 'csv.field-delimiter': '\t' });
  });

  it("accepts Flink's per-format name of ignore-parse-errors", () => {
    expect(source("'path' = 'a.csv', 'csv.ignore-parse-errors' = 'true'").options?.['format.ignore-parse-errors']).toBe('true');
  });

  it('warns about options that cannot matter', () => {
    expect(source("'path' = 'a.jsonl', 'source.monitor-interval' = '5 s', 'csv.header' = 'false'").blamed).toEqual([
      {
        code: 'SLC4017',
        at: "'source.monitor-interval'",
        message: "option 'source.monitor-interval' has no effect when 'mode' is 'bounded'",
        help: "remove it, or set 'mode' = 'continuous'",
      },
      {
        code: 'SLC4017',
        at: "'csv.header'",
        message: "option 'csv.header' has no effect when 'format' is 'jsonl'",
        help: "remove it, or set 'format' = 'csv'",
      },
    ]);
  });

  it.each([
    ["'mode' = 'streaming'", "'mode' accepts one of 'bounded', 'continuous'"],
    ["'source.monitor-interval' = '0'", "'source.monitor-interval' accepts a duration of at least 1 ms such as '500 ms', '10 s', '1 min', '2 h' or '1 d' (a plain number is milliseconds)"],
    ["'csv.field-delimiter' = ';;'", "'csv.field-delimiter' accepts a single character (write '\\t' for a tab)"],
  ])('rejects %s', (option, help) => {
    expect(source(`'path' = 'a.csv', ${option}`).blamed.map((b) => [b.code, b.help])).toEqual([['SLC4014', help]]);
  });
});

describe('file sink', () => {
  it('fills its defaults: jsonl, exactly-once, 128 MB or 30 min part files', () => {
    expect(sink("'path' = 'out/'")).toEqual({
      options: {
        'csv.field-delimiter': ',',
        'csv.header': 'true',
        format: 'jsonl',
        path: 'out/',
        'sink.rolling-policy.file-size': String(128 * 1024 * 1024),
        'sink.rolling-policy.rollover-interval': '1800000',
        'sink.semantic': 'exactly-once',
      },
      blamed: [],
    });
  });

  it('reads the semantic in either spelling and sizes in Flink units', () => {
    expect(sink("'path' = 'out', 'sink.semantic' = 'AT_LEAST_ONCE', 'sink.rolling-policy.file-size' = '1 kb'").options).toMatchObject({
      'sink.semantic': 'at-least-once',
      'sink.rolling-policy.file-size': '1024',
    });
  });

  it('rejects an unknown semantic', () => {
    expect(sink("'path' = 'out', 'sink.semantic' = 'exactly-twice'").blamed.map((b) => [b.code, b.at])).toEqual([['SLC4014', "'exactly-twice'"]]);
  });
});
