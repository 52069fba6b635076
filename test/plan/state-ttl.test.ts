import { describe, expect, it } from 'vitest';
import { summarize } from '../../compiler/exporters/summary.js';
import { BID, compileGraph, messages, reported, sink, specOf } from './planning.js';

const BIDDER_COUNT = (ttl: string): string => `${BID}\n${sink()}\nINSERT INTO out FROM bid |> AGGREGATE COUNT(*) AS n GROUP BY bidder UID 'per-bidder'${ttl};`;

describe('state TTL in the compiler', () => {
  it("puts the step's TTL, else 'table.exec.state.ttl', into the operator spec; none keeps state forever", () => {
    expect(specOf(compileGraph(BIDDER_COUNT(" TTL INTERVAL '36' HOUR")), 'group_aggregate').stateTtlMs).toBe(36 * 3_600_000);
    expect(specOf(compileGraph(`SET 'table.exec.state.ttl' = '1 d';\n${BIDDER_COUNT('')}`), 'group_aggregate').stateTtlMs).toBe(86_400_000);
    expect(specOf(compileGraph(`SET 'table.exec.state.ttl' = '1 d';\n${BIDDER_COUNT(" TTL INTERVAL '2' SECOND")}`), 'group_aggregate').stateTtlMs).toBe(2000);
    expect(specOf(compileGraph(`SET 'table.exec.state.ttl' = '1 d';\n${BIDDER_COUNT(" TTL INTERVAL '0' SECOND")}`), 'group_aggregate').stateTtlMs).toBeUndefined();
    expect(specOf(compileGraph(BIDDER_COUNT('')), 'group_aggregate').stateTtlMs).toBeUndefined();
  });

  it('applies the job-wide TTL to regular joins and deduplication but not to windows', () => {
    const graph = compileGraph(`SET 'table.exec.state.ttl' = '10 min';
${BID}
${sink()}
INSERT INTO out FROM bid |> DEDUPLICATE BY bidder UID 'd'
  |> WINDOW TUMBLE(date_time, INTERVAL '1' MINUTE)
  |> AGGREGATE COUNT(*) AS n GROUP BY bidder, window_start, window_end UID 'w';`);
    expect(specOf(graph, 'deduplicate').stateTtlMs).toBe(600_000);
    expect('stateTtlMs' in specOf(graph, 'window_aggregate')).toBe(false);
  });

  it('shows the TTL in the summary of `sluice compile`', () => {
    const line = summarize(compileGraph(BIDDER_COUNT(" TTL INTERVAL '1' DAY"))).split('\n').find((l) => l.includes('[per-bidder]'));
    expect(line).toMatch(/ttl: 1 d after a key's last write$/);
  });

  it('refuses a TTL on a step that cleans its own state or keeps none, pointing at the TTL', () => {
    const windowed = `${BID}\n${sink()}\nINSERT INTO out FROM bid |> WINDOW TUMBLE(date_time, INTERVAL '1' MINUTE)
  |> AGGREGATE COUNT(*) AS n GROUP BY bidder, window_start, window_end UID 'w' TTL INTERVAL '1' HOUR
  |> WHERE n > 1 UID 'f' TTL INTERVAL '1' HOUR;`;
    expect(reported(windowed)).toEqual([
      "TtlOnSelfCleaningStep @ 'INTERVAL '1' HOUR'",
      "TtlOnSelfCleaningStep @ 'INTERVAL '1' HOUR'",
    ]);
    expect(messages(windowed)).toEqual([
      "AGGREGATE 'w' cannot have a state TTL: a window aggregate cleans its own state, dropping each window once the watermark passes its end",
      "WHERE 'f' cannot have a state TTL: it keeps no state",
    ]);
  });

  it('refuses a negative TTL and a TTL on a source or sink', () => {
    expect(reported(BIDDER_COUNT(" TTL INTERVAL '-1' HOUR"))).toEqual(["NegativeTtl @ 'INTERVAL '-1' HOUR'"]);
    expect(reported(`${BID.replace("UID 'bid-source'", "UID 'bid-source' TTL INTERVAL '1' DAY")}\n${sink()}\nINSERT INTO out FROM bid;`)).toEqual([
      "TtlOnTable @ 'INTERVAL '1' DAY'",
    ]);
  });
});
