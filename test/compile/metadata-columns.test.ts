import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';

/** METADATA columns: only connectors that list metadata keys fill them; sinks never do. */
describe('METADATA columns', () => {
  it('are refused by a connector that offers no metadata, on sources and sinks', () => {
    const result = compile(`
CREATE SOURCE src (id BIGINT, ts TIMESTAMP(3) METADATA FROM 'timestamp') WITH ('connector' = 'file', 'path' = 'in.jsonl') UID 'src';
CREATE SINK out (id BIGINT METADATA) WITH ('connector' = 'print') UID 'out';
INSERT INTO out FROM src |> SELECT id;`);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['SLC4043', "column 'ts' is declared METADATA, but the source connector 'file' offers no metadata"],
      ['SLC4043', "column 'id' is declared METADATA, but the sink connector 'print' offers no metadata"],
    ]);
  });
});
