import { describe, expect, it } from 'vitest';
import { summarize } from '../../compiler/exporters/summary.js';
import type { FunctionSignaturesInput, ManagedStateDeclarationInput } from '../../compiler/functions/signature-schema.js';
import { BID, compileGraph, messages, operatorOf, reported, sink, specOf } from './planning.js';

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

describe('TTL of process-function state in the compiler', () => {
  const declared = (ttl: NonNullable<ManagedStateDeclarationInput['ttl']>): FunctionSignaturesInput => ({
    processes: [{ name: 'watch', args: ['BIGINT'], output: 'input' as const, state: [{ name: 'last', kind: 'list' as const, valueType: [{ name: 'price', type: 'BIGINT' }], ttl }] }],
  });
  const keyed = `${BID}\n${sink()}\nINSERT INTO out FROM bid |> PROCESS watch(price) PARTITION BY auction UID 'p';`;

  it("puts a state's TTL, with Flink's defaults, into its descriptor; '1 h' is a duration", () => {
    const graph = compileGraph(keyed, { functions: declared({ ms: '1 h' }) });
    expect(operatorOf(graph, 'process').state.find((s) => s.name === 'last')!.ttl).toEqual({
      ms: 3_600_000,
      update: 'on-create-and-write',
      visibility: 'never-return-expired',
    });
  });

  it('refuses a TTL on operator state (no PARTITION BY): SLC2060', () => {
    const unkeyed = `${BID}\n${sink()}\nINSERT INTO out FROM bid |> PROCESS watch(price) UID 'p';`;
    expect(messages(unkeyed, { functions: declared({ ms: 1000 }) })).toEqual([
      "process function watch gives its list state 'last' a TTL, but without PARTITION BY it is operator state, which has no key to expire",
    ]);
  });

  it('refuses a TTL after the UID of a PROCESS step: its function sets each state TTL (SLC2050)', () => {
    const text = keyed.replace("UID 'p'", "UID 'p' TTL INTERVAL '1' HOUR");
    expect(reported(text, { functions: declared({ ms: 1000 }) })).toEqual(["TtlOnSelfCleaningStep @ 'INTERVAL '1' HOUR'"]);
    expect(messages(text, { functions: declared({ ms: 1000 }) })[0]).toContain("in its state declarations' `ttl`");
  });
});
