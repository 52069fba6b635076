import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';

/** The jetstream connector's compile-time checks: startup options, subject partitions, raw payloads, METADATA. */
function diagnostics(columns: string, options: string): [string, string][] {
  const result = compile(`
CREATE SOURCE bids (${columns}) WITH ('connector' = 'jetstream', 'servers' = 'nats://127.0.0.1:4222', 'stream' = 'BIDS'${options}) UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bids;`);
  return result.diagnostics.map((d) => [d.code, d.message]);
}

function sourceOptions(columns: string, options = ''): Record<string, string> {
  const result = compile(`
CREATE SOURCE bids (${columns}) WITH ('connector' = 'jetstream', 'servers' = 'nats://127.0.0.1:4222', 'stream' = 'BIDS'${options}) UID 'bids';
CREATE SINK out WITH ('connector' = 'blackhole') UID 'out';
INSERT INTO out FROM bids;`);
  expect(result.diagnostics).toEqual([]);
  const source = result.value!.operators.find((op) => op.spec.kind === 'source')!;
  return (source.spec as { options: Record<string, string> }).options;
}

describe('jetstream connector definition', () => {
  it('fills defaults and records METADATA columns as the derived option metadata', () => {
    const options = sourceOptions("price BIGINT, ts TIMESTAMP(3) METADATA FROM 'timestamp', subject STRING METADATA, seq BIGINT METADATA FROM 'sequence'");
    expect(options).toMatchObject({
      format: 'json',
      'scan.startup.mode': 'earliest-offset',
      'scan.bounded.mode': 'unbounded',
      metadata: JSON.stringify({ ts: 'timestamp', subject: 'subject', seq: 'sequence' }),
    });
  });

  it('needs the option of a timestamp or specific-offsets startup', () => {
    expect(diagnostics('price BIGINT', ", 'scan.startup.mode' = 'timestamp'")).toEqual([
      ['SLC4040', "'scan.startup.mode' = 'timestamp' needs the option 'scan.startup.timestamp-millis'"],
    ]);
    expect(diagnostics('price BIGINT', ", 'scan.startup.mode' = 'specific-offsets'")).toEqual([
      ['SLC4040', "'scan.startup.mode' = 'specific-offsets' needs the option 'scan.startup.specific-offset'"],
    ]);
  });

  it("refuses 'subject' with 'subject-partitions', and raw payloads without exactly one STRING column", () => {
    expect(diagnostics('price BIGINT', ", 'subject' = 'bids.>', 'subject-partitions' = 'bids.0,bids.1'")).toEqual([
      ['SLC4041', "'subject-partitions' and 'subject' are both given"],
    ]);
    expect(diagnostics('a STRING, b STRING', ", 'format' = 'raw'")).toEqual([
      ['SLC4042', "source 'bids' reads 'raw' payloads, which need exactly one STRING column besides METADATA columns"],
    ]);
    expect(diagnostics("line STRING, ts TIMESTAMP(3) METADATA FROM 'timestamp'", ", 'format' = 'raw'")).toEqual([]);
  });

  it('refuses unknown metadata keys and columns of the wrong type', () => {
    expect(diagnostics("price BIGINT, t TIMESTAMP(3) METADATA FROM 'timestmap'", '')).toEqual([
      ['SLC4044', "the 'jetstream' connector has no metadata 'timestmap' (column 't')"],
    ]);
    expect(diagnostics("price BIGINT, seq STRING METADATA FROM 'sequence'", '')).toEqual([
      ['SLC4045', "column 'seq' holds the metadata 'sequence', which is BIGINT, not STRING"],
    ]);
  });
});
