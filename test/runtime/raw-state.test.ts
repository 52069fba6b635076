import { describe, expect, it } from 'vitest';
import { RawStateStore, redistributeRawState } from '../../runtime/state/raw-state.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const stored = (store: RawStateStore) => store.snapshot().map(({ name, bytes: data }) => `${name}=${text(data)}`);

describe('raw state', () => {
  it('stores the bytes last written, copied when written; undefined stores none', () => {
    const store = new RawStateStore();
    const state = store.get('buf');
    expect(state.restored()).toEqual([]);
    expect(stored(store)).toEqual([]);
    const data = bytes('abc');
    state.write(data);
    data[0] = 0x7a;
    expect(stored(store)).toEqual(['buf=abc']);
    state.write(undefined);
    expect(stored(store)).toEqual([]);
    expect(() => state.write('abc' as never)).toThrow(/raw state takes a Uint8Array \(or a Buffer\), not string/);
  });

  it('gives a subtask its own part at the same parallelism, stored again until it writes', () => {
    const [first, second] = redistributeRawState([[{ name: 'buf', bytes: bytes('s0') }], [{ name: 'buf', bytes: bytes('s1') }]], 2);
    const store = new RawStateStore();
    store.restore(second!);
    expect(stored(store)).toEqual(['buf=s1']);
    expect(store.get('buf').restored().map(text)).toEqual(['s1']);
    expect(stored(store)).toEqual(['buf=s1']);
    store.get('buf').write(bytes('new'));
    expect(stored(store)).toEqual(['buf=new']);
    expect(first!.map((s) => s.parts.map(text))).toEqual([['s0']]);
  });

  it('gives every new subtask every old part in old subtask order at another parallelism, storing nothing until it writes', () => {
    const old = [[{ name: 'a', bytes: bytes('a0') }, { name: 'b', bytes: bytes('b0') }], [{ name: 'a', bytes: bytes('a1') }], []];
    const dealt = redistributeRawState(old, 2);
    expect(dealt.map((states) => states.map((s) => `${s.name}:${s.parts.map(text).join('+')}:${s.own}`))).toEqual([
      ['a:a0+a1:false', 'b:b0:false'],
      ['a:a0+a1:false', 'b:b0:false'],
    ]);
    const store = new RawStateStore();
    store.restore(dealt[1]!);
    expect(store.get('a').restored().map(text)).toEqual(['a0', 'a1']);
    expect(stored(store)).toEqual([]);
  });
});
