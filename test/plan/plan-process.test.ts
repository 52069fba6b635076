import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { FunctionSignatures } from '../../compiler/functions/registry.js';
import { BID, compileGraph, operatorOf, reported, sink } from './planning.js';

const functions: FunctionSignatures = {
  processes: [
    {
      name: 'alert',
      args: [{ name: 'BIGINT' }, { name: 'STRING' }],
      output: [{ name: 'message', type: { name: 'STRING' }, nullable: false }],
      state: [
        { name: 'last-price', kind: 'value', valueType: [{ name: 'price', type: { name: 'BIGINT' }, nullable: true }] },
        { name: 'seen', kind: 'map', mapKeyType: [{ name: 'bidder', type: { name: 'BIGINT' }, nullable: true }], valueType: [] },
      ],
    },
    { name: 'tag', args: [], output: 'input', state: [{ name: 'buffer', kind: 'list', valueType: [{ name: 'n', type: { name: 'INT' }, nullable: false }] }] },
  ],
};

const process = (call: string): string => `${BID} ${sink()} INSERT INTO out FROM bid |> PROCESS ${call} UID 'p';`;

describe('PROCESS', () => {
  it('with PARTITION BY runs keyed: hash edge, declared state keyed by the partition keys, declared output', () => {
    const graph = compileGraph(process('alert(price, channel) PARTITION BY auction'), { functions });
    const op = operatorOf(graph, 'process');
    expect(op.spec).toMatchObject({ kind: 'process', function: 'alert', args: [{ index: 2 }, { index: 3 }] });
    expect(op.output).toEqual({ fields: [{ name: 'message', type: { name: 'STRING' }, nullable: false }], changelog: 'append' });
    expect(op.state.map((s) => [s.name, s.scope, s.kind, s.keyType?.map((f) => f.name), s.mapKeyType?.map((f) => f.name)])).toEqual([
      ['last-price', 'keyed', 'value', ['auction'], undefined],
      ['seen', 'keyed', 'map', ['auction'], ['bidder']],
    ]);
    expect(graph.edges[0]).toMatchObject({ partitioning: 'hash', keys: [{ index: 0 }] });
  });

  it('without PARTITION BY keeps operator list state, forward edge, and may emit its input schema', () => {
    const graph = compileGraph(process('tag()'), { functions });
    const op = operatorOf(graph, 'process');
    expect(op.output).toEqual(op.inputs[0]);
    expect(op.state).toMatchObject([{ name: 'buffer', scope: 'operator', kind: 'list', redistribution: 'split' }]);
    expect(graph.edges[0]!.partitioning).toBe('forward');
  });

  it.each([
    ['an unknown function, suggesting a close name', 'alrt(price, channel)', "UnknownProcessFunction @ 'alrt'"],
    ['a wrong argument count', 'alert(price) PARTITION BY auction', "ProcessArgumentCount @ 'alert'"],
    ['a wrong argument type', 'alert(channel, channel) PARTITION BY auction', "ProcessArgumentType @ 'channel'"],
    ['keyed state without PARTITION BY', 'alert(price, channel)', "KeyedStateWithoutPartition @ 'PROCESS alert(price, channel) UID 'p''"],
  ])('reports %s', (_, call, expected) => {
    expect(reported(process(call), { functions })).toEqual([expected]);
  });

  it('tells how to register an unknown function', () => {
    const [diagnostic] = compile(process('alrt(price, channel)'), { functions }).diagnostics;
    expect(diagnostic!.help).toMatch(/^did you mean 'alert'\? register it with the Node API .* `sluice --functions module\.js`$/);
  });
});
