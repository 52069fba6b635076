import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventDecoder, EventEncoder } from '../../runtime/channels/batch-codec.js';
import type { ChannelEvent } from '../../runtime/channels/channel-event.js';
import { makeBatch } from '../../runtime/record-batch.js';

const encoder = new EventEncoder();
const decoder = new EventDecoder();

/** Encodes `event` and decodes it from a buffer of its own, as the reader does. */
function roundTrip(event: ChannelEvent): ChannelEvent {
  const frame = encoder.encode(event);
  const length = frame.readUInt32LE(0);
  expect(length).toBe(frame.length - 4);
  return decoder.decode(Buffer.from(frame.subarray(4)), length);
}

/** `Object.is` all the way down: toEqual would accept -0 for 0. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  const keysA = Object.keys(a);
  const keysB = Object.keys(b as object);
  return keysA.length === keysB.length && keysA.every((key, i) => key === keysB[i] && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

const scalar = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN, ±Infinity and -0 included
  fc.constantFrom(-0, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, 1_700_000_000_000),
  fc.string({ unit: 'binary', maxLength: 40 }), // any UTF-16, lone surrogates too
  fc.string({ maxLength: 40 }),
  fc.bigInt(),
  fc.date(),
  fc.uint8Array({ maxLength: 20 }),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('value'), { maxKeys: 4, noNullPrototype: true }),
}));

const batchEvent = fc
  .array(fc.array(value, { maxLength: 8 }), { maxLength: 20 })
  .chain((rows) =>
    fc.record({
      rows: fc.constant(rows),
      kinds: fc.option(fc.uint8Array({ min: 0, max: 3, minLength: rows.length, maxLength: rows.length }), { nil: undefined }),
      keyGroups: fc.option(fc.array(fc.integer({ min: 0, max: 32767 }), { minLength: rows.length, maxLength: rows.length }), { nil: undefined }),
    }),
  )
  .map(({ rows, kinds, keyGroups }): ChannelEvent => ({ type: 'batch', batch: makeBatch(rows, kinds, keyGroups === undefined ? undefined : Uint16Array.from(keyGroups)) }));

const controlEvent: fc.Arbitrary<ChannelEvent> = fc.oneof(
  fc.double().map((timestamp): ChannelEvent => ({ type: 'watermark', timestamp })),
  fc.boolean().map((idle): ChannelEvent => ({ type: 'status', idle })),
  fc.record({ checkpointId: fc.nat(), timestamp: fc.nat(), savepoint: fc.boolean() }).map((b): ChannelEvent => ({ type: 'barrier', ...b })),
  fc.nat().map((checkpointId): ChannelEvent => ({ type: 'cancel-barrier', checkpointId })),
  fc.constant<ChannelEvent>({ type: 'end-of-input' }),
);

describe('batch codec', () => {
  it('round-trips every runtime value exactly, nested, with kinds and key groups', () => {
    fc.assert(
      fc.property(batchEvent, (event) => {
        expect(same(roundTrip(event), event)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every control event', () => {
    fc.assert(
      fc.property(controlEvent, (event) => {
        expect(same(roundTrip(event), event)).toBe(true);
      }),
    );
  });

  it('keeps a "__proto__" key as data and decoded byte arrays apart from the reused frame', () => {
    const row = [JSON.parse('{"__proto__": 1, "a": [2]}') as unknown, new Uint8Array([1, 2, 3]), -0, '\ud800x'];
    const event: ChannelEvent = { type: 'batch', batch: { rows: [row], kinds: new Uint8Array([2]) } };
    const decoded = roundTrip(event);
    roundTrip({ type: 'batch', batch: { rows: [[new Uint8Array([9, 9, 9])]], kinds: new Uint8Array([3]) } });
    expect(same(decoded, event)).toBe(true);
  });

  it('refuses a value that is not a runtime value, naming it', () => {
    expect(() => encoder.encode({ type: 'batch', batch: { rows: [[new Map()]] } })).toThrow('a Map cannot cross a thread channel');
    expect(() => encoder.encode({ type: 'batch', batch: { rows: [[() => 1]] } })).toThrow('a function cannot cross a thread channel');
  });
});
