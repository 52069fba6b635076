import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';

/** The postgres sink's compile-time checks: url, jdbc alias, primary key for updating input, column types. */
function compiled(sink: string, insert = 'FROM bids', url = 'postgres://127.0.0.1:5432/test', connector = 'postgres') {
  return compile(`
CREATE SOURCE bids (bidder BIGINT, price BIGINT, note STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10') UID 'bids';
CREATE SINK out ${sink} WITH ('connector' = '${connector}', 'url' = '${url}', 'table-name' = 'totals') UID 'out';
INSERT INTO out ${insert};`);
}
const codes = (result: ReturnType<typeof compiled>) => result.diagnostics.map((d) => [d.code, d.message]);

describe('postgres sink definition', () => {
  it('fills the defaults and carries the primary key into the job graph', () => {
    const result = compiled('(bidder BIGINT, n BIGINT, PRIMARY KEY (bidder) NOT ENFORCED)', 'FROM bids |> AGGREGATE COUNT(*) AS n GROUP BY bidder UID \'n\'');
    expect(result.diagnostics).toEqual([]);
    const sink = result.value!.operators.find((op) => op.spec.kind === 'sink')!.spec as { options: Record<string, string>; primaryKey: string[] };
    expect(sink.options).toMatchObject({ 'sink.semantic': 'exactly-once', 'sink.buffer-flush.max-rows': '5000', 'sink.create-table': 'false' });
    expect(sink.primaryKey).toEqual(['bidder']);
  });

  it('refuses an updating stream without a primary key, saying which key to declare (SLC4051)', () => {
    const result = compiled('', "FROM bids |> AGGREGATE COUNT(*) AS n, SUM(price) AS total GROUP BY note, bidder UID 'n'");
    expect(codes(result)).toEqual([['SLC4051', "sink 'out' receives an updating stream, which the postgres connector can only write by a primary key"]]);
    expect(result.diagnostics[0]!.help).toContain('PRIMARY KEY (note, bidder) NOT ENFORCED');
    expect(compiled('', 'FROM bids |> SELECT bidder, price').diagnostics).toEqual([]);
  });

  it('refuses a url that is not PostgreSQL (SLC4050), and jdbc with a non-JDBC url (SLC4053)', () => {
    expect(codes(compiled('', 'FROM bids |> SELECT bidder', 'mysql://h/db'))).toEqual([
      ['SLC4050', "'url' is not a PostgreSQL URL: it does not start with 'postgres://', 'postgresql://' or 'jdbc:postgresql://'"],
    ]);
    expect(codes(compiled('', 'FROM bids |> SELECT bidder', 'postgres://h/db', 'jdbc'))).toEqual([
      ['SLC4053', "'connector' = 'jdbc' is understood for PostgreSQL only, and this 'url' is not a PostgreSQL one"],
    ]);
    expect(compiled('', 'FROM bids |> SELECT bidder', 'jdbc:postgresql://h/db?user=u&password=p', 'jdbc').diagnostics).toEqual([]);
  });

  it('refuses a column type it cannot write (SLC4052)', () => {
    expect(codes(compiled('', "FROM bids |> SELECT bidder, INTERVAL '1' SECOND AS pause"))).toEqual([['SLC4052', "column 'pause' of sink 'out' is INTERVAL, which the postgres connector cannot write"]]);
  });

  it('never shows the password of a url in a diagnostic', () => {
    const result = compiled('', 'FROM bids |> SELECT bidder', 'postgres://u:s3cr3t@h', 'postgres');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SLC4050']);
    expect(JSON.stringify(result.diagnostics)).not.toContain('s3cr3t');
  });
});
