/**
 * The canonical text form of state values, keys and timers in snapshots and in the disk backend: JSON, with the
 * numbers JSON cannot spell (NaN, ±Infinity, -0: a DOUBLE can hold them) written as `{"$num":"NaN"}`, so that a
 * restored value is exactly the value snapshotted.
 * State values must therefore be plain data: null, booleans, numbers, strings, arrays and plain objects
 * (accumulators included); `undefined` inside arrays becomes null and is dropped from objects, as in JSON.
 * The key `$num` is reserved.
 */

const NUM_TAG = '$num';

function isSpecialNumber(value: number): boolean {
  return !Number.isFinite(value) || Object.is(value, -0);
}

function replaceNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || !isSpecialNumber(value)) return value;
  return { [NUM_TAG]: Object.is(value, -0) ? '-0' : String(value) };
}

function reviveNumbers(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[NUM_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return Number(tagged);
  }
  return value;
}

/** Whether `JSON.stringify` alone is exact for `value` (no special numbers anywhere). */
function isPlainJson(value: unknown): boolean {
  if (typeof value === 'number') return !isSpecialNumber(value);
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
    return true;
  }
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key])) return false;
  return true;
}

export function encodeJson(value: unknown): string {
  return isPlainJson(value) ? JSON.stringify(value) : JSON.stringify(value, replaceNumbers);
}

/** Like `encodeJson`, but -0 is written as 0: for keys, where equal SQL values must encode alike. */
export function encodeJsonNormalized(value: unknown): string {
  const text = JSON.stringify(value);
  // Plain JSON already writes -0 as 0 and is exact but for NaN and ±Infinity, which it writes as null: only a
  // text with a null in it needs the look at every value (keys are encoded per row, so this path stays short).
  if (text === undefined || !text.includes('null') || isPlainJson(value)) return text;
  return JSON.stringify(value, replaceNonFinite);
}

function replaceNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [NUM_TAG]: String(value) } : value;
}

export function decodeJson(text: string): unknown {
  return text.includes(NUM_TAG) ? JSON.parse(text, reviveNumbers) : JSON.parse(text);
}
