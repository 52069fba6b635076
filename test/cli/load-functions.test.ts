import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFunctions } from '../../cli/load-functions.js';

const fixtures = `${dirname(fileURLToPath(import.meta.url))}/fixtures`;
const messages = (result: Awaited<ReturnType<typeof loadFunctions>>) => result.diagnostics.map((d) => `${d.code} ${d.message}`);

describe('loadFunctions', () => {
  it('turns the exports into signatures, keeping the implementations', async () => {
    const result = await loadFunctions('functions.mjs', fixtures);
    expect(result.diagnostics).toEqual([]);
    const [discount, isEven] = result.value!.scalars;
    expect(discount).toMatchObject({ name: 'discount', args: [{ name: 'DOUBLE' }, { name: 'DECIMAL', precision: 5, scale: 2 }], returns: { name: 'DOUBLE' } });
    expect(discount).not.toHaveProperty('nullable');
    expect(isEven).toMatchObject({ name: 'is_even', args: [{ name: 'BIGINT' }], nullable: false, callOnNull: true });
    expect((isEven!.fn as (n: number) => boolean)(4)).toBe(true);

    const [process] = result.value!.processes;
    expect(process).toMatchObject({
      name: 'running_total',
      output: [{ name: 'total', type: { name: 'BIGINT' }, nullable: false }],
      state: [{ name: 'total', kind: 'value', valueType: [{ name: 'total', type: { name: 'BIGINT' }, nullable: true }] }],
    });
    expect(typeof (process!.implementation as { processElement?: unknown }).processElement).toBe('function');
  });

  it('names the module and each bad export', async () => {
    const result = await loadFunctions('bad-exports.mjs', fixtures);
    expect(result.value).toBeUndefined();
    expect(messages(result)).toEqual([
      "SLC9012 the functions module 'bad-exports.mjs' has an invalid export: at functions[1].args[0]: expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)), got \"TEXT\"",
      "SLC9012 the functions module 'bad-exports.mjs' has an invalid export: at functions[2].fn: expected a function",
      "SLC9012 the functions module 'bad-exports.mjs' has an invalid export: at processes[0].output: expected 'input' (the rows keep the input's columns) or an array of fields { name, type, nullable? }",
      "SLC9012 the functions module 'bad-exports.mjs' has an invalid export: at processes[1].output[1].type: expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)), got \"NUMBER\"",
    ]);
  });

  it('rejects duplicate names, missing exports, failing imports and other file kinds', async () => {
    expect(messages(await loadFunctions('duplicates.mjs', fixtures))).toEqual([
      "SLC9014 the functions module 'duplicates.mjs' defines the function 'twice' more than once",
    ]);
    expect(messages(await loadFunctions('no-exports.mjs', fixtures))).toEqual([
      "SLC9013 the functions module 'no-exports.mjs' exports neither 'functions' nor 'processes'",
    ]);
    expect(messages(await loadFunctions('throws.mjs', fixtures))).toEqual([
      "SLC9011 cannot load the functions module 'throws.mjs': cannot connect to the pricing service",
    ]);
    expect(messages(await loadFunctions('functions.ts', fixtures))).toEqual(["SLC9004 invalid value 'functions.ts' for --functions"]);
    expect(messages(await loadFunctions('missing.mjs', fixtures))).toEqual(["SLC9001 cannot find 'missing.mjs'"]);
  });
});
