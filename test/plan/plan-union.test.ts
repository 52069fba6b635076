import { describe, expect, it } from 'vitest';
import { compileGraph, messages, operatorOf, reported, sink } from './planning.js';

const A = "CREATE SOURCE a (id INT NOT NULL, name STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen') UID 'a';";
const B = "CREATE SOURCE b (key BIGINT, label STRING NOT NULL, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen') UID 'b';";
const C = "CREATE SOURCE c (id INT, name INT) WITH ('connector' = 'datagen') UID 'c';";

describe('UNION ALL', () => {
  it('merges both inputs by position into their common types, names from the left, time attribute kept', () => {
    const graph = compileGraph(`${A} ${B} ${sink()} INSERT INTO out FROM a |> UNION ALL b;`);
    const union = operatorOf(graph, 'union');
    expect(union.output).toEqual({
      fields: [
        { name: 'id', type: { name: 'BIGINT' }, nullable: true },
        { name: 'name', type: { name: 'STRING' }, nullable: true },
        { name: 'ts', type: { name: 'TIMESTAMP', precision: 3 }, nullable: true },
      ],
      changelog: 'append',
      rowtime: 2,
    });
    expect(graph.edges.filter((e) => e.to === union.id).map((e) => [e.from, e.toInput, e.partitioning])).toEqual([
      ['a', 0, 'forward'],
      ['b', 1, 'forward'],
    ]);
    expect(union.state).toEqual([]);
  });

  it('reports schemas that do not match, showing both', () => {
    const text = `${A} ${C} ${sink()} INSERT INTO out FROM a |> UNION ALL c;`;
    expect(reported(text)).toEqual(["UnionSchemaMismatch @ 'c'"]);
    expect(messages(text)).toEqual(["UNION ALL 'c': its columns (id INT, name INT) do not match (id INT NOT NULL, name STRING, ts TIMESTAMP(3))"]);
  });
});
