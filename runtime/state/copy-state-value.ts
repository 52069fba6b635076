/**
 * A deep copy of a state value, for copy-on-write (heap-backend.ts): the copy an operator modifies in place must
 * share nothing with the value an open snapshot holds. State values are plain data (value-codec.ts; the binary
 * codec of checkpoints also carries Date, Uint8Array and bigint), copied here by their shape: about a twentieth of
 * what `structuredClone` costs, which serialises and deserialises each value. Anything else (a Map, a class
 * instance) still goes through `structuredClone`. References shared inside one value are not kept shared: no
 * snapshot keeps them either.
 */
export function copyStateValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    // An array of primitives (accumulators; a window aggregate's packed windows) is copied by `slice`, about a
    // sixth of the element-wise copy, which also keeps V8's unboxed storage of an array of numbers.
    if (!holdsObjects(value)) return value.slice();
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyStateValue(value[i]);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === null) return copyPlainObject(value as Record<string, unknown>, prototype === null);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array && value.constructor === Uint8Array) return value.slice();
  return structuredClone(value);
}

function holdsObjects(array: readonly unknown[]): boolean {
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (typeof element === 'object' && element !== null) return true;
  }
  return false;
}

function copyPlainObject(value: Record<string, unknown>, nullPrototype: boolean): Record<string, unknown> {
  const copy: Record<string, unknown> = nullPrototype ? (Object.create(null) as Record<string, unknown>) : {};
  for (const key of Object.keys(value)) {
    // An own `__proto__` (JSON.parse makes them) is data: assigning it would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: copyStateValue(value[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyStateValue(value[key]);
  }
  return copy;
}
