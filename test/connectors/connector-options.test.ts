import { describe, expect, it } from 'vitest';
import { validateSink } from '../../compiler/connectors/validate-sink.js';
import { validateSource } from '../../compiler/connectors/validate-source.js';
import { DiagnosticBag } from '../../compiler/diagnostics/diagnostic.js';
import { blamed } from '../diagnostics/blamed.js';
import { sinkFixture, sourceFixture } from './statements.js';

function source(options: string) {
  const { text, stmt } = sourceFixture(options);
  const bag = new DiagnosticBag('job.pipe');
  const result = validateSource(stmt, [], bag);
  return { result, blamed: blamed(bag.items, text) };
}

function sink(options: string) {
  const { text, stmt } = sinkFixture(options);
  const bag = new DiagnosticBag('job.pipe');
  const result = validateSink(stmt, bag);
  return { result, blamed: blamed(bag.items, text) };
}

describe('connector selection and generic option rules', () => {
  it('requires a connector, blaming the source name', () => {
    expect(source("'path' = 'a.jsonl'")).toEqual({
      result: undefined,
      blamed: [
        {
          code: 'SLC4010',
          at: 'src',
          message: "source 'src' has no 'connector' option",
          help: "add 'connector' = '…' to its WITH clause; source connectors are: file, datagen, nexmark, jetstream, postgres-cdc",
        },
      ],
    });
  });

  it('rejects an unknown connector at its value, suggesting the closest', () => {
    expect(source("'connector' = 'kafka'").blamed.map((b) => [b.code, b.at, b.help])).toEqual([
      ['SLC4011', "'kafka'", 'source connectors are: file, datagen, nexmark, jetstream, postgres-cdc'],
    ]);
    expect(sink("'connector' = 'prnt'").blamed.map((b) => [b.message, b.help])).toEqual([
      ["unknown sink connector 'prnt'", "did you mean 'print'? sink connectors are: file, print, blackhole, jetstream, postgres"],
    ]);
  });

  it("accepts Flink's name 'filesystem' for the file connector", () => {
    expect(source("'connector' = 'filesystem', 'path' = 'in.csv'").result?.connector).toBe('file');
  });

  it('does not take a sink connector for a source', () => {
    expect(source("'connector' = 'blackhole'").blamed.map((b) => b.code)).toEqual(['SLC4011']);
  });

  it('rejects an unknown option at its key, suggesting the closest and listing the options', () => {
    expect(sink("'connector' = 'print', 'print-identifer' = 'x'").blamed).toEqual([
      {
        code: 'SLC4012',
        at: "'print-identifer'",
        message: "the 'print' connector has no option 'print-identifer'",
        help: "did you mean 'print-identifier'? its options are: connector, print-identifier, standard-error",
      },
    ]);
  });

  it('rejects an option given twice, pointing to the first', () => {
    const { text, stmt } = sinkFixture("'connector' = 'print', 'standard-error' = 'true', 'standard-error' = 'false'");
    const bag = new DiagnosticBag('job.pipe');
    expect(validateSink(stmt, bag)?.options).toEqual({ 'standard-error': 'true' });
    expect(bag.items.map((d) => [d.code, d.span.offset, d.related[0]?.span.offset])).toEqual([
      ['SLC4015', text.lastIndexOf("'standard-error'"), text.indexOf("'standard-error'")],
    ]);
  });

  it('reports a missing required option at the connector option', () => {
    expect(sink("'connector' = 'file'").blamed).toEqual([
      {
        code: 'SLC4013',
        at: "'connector' = 'file'",
        message: "the 'file' connector needs the option 'path'",
        help: "add 'path' = '…' to the WITH clause: The directory part files are written into.",
      },
    ]);
  });

  it('reports a bad value at the value, saying what is accepted', () => {
    expect(sink("'connector' = 'print', 'standard-error' = 'yes'").blamed).toEqual([
      {
        code: 'SLC4014',
        at: "'yes'",
        message: "invalid value 'yes' for option 'standard-error'",
        help: "'standard-error' accepts 'true' or 'false'",
      },
    ]);
  });

  it('returns canonical keys and values sorted by key, without the connector itself', () => {
    const { result } = sink("'standard-error' = 'TRUE', 'connector' = 'Print', 'print-identifier' = 'out'");
    expect(result).toEqual({ connector: 'print', options: { 'print-identifier': 'out', 'standard-error': 'true' } });
    expect(Object.keys(result!.options)).toEqual(['print-identifier', 'standard-error']);
  });

  it('reads blackhole, which has no options', () => {
    expect(sink("'connector' = 'blackhole'")).toEqual({ result: { connector: 'blackhole', options: {} }, blamed: [] });
    expect(sink("'connector' = 'blackhole', 'path' = '/x'").blamed.map((b) => b.code)).toEqual(['SLC4012']);
  });
});
