import type { Field } from '../../compiler/types/sql-type.js';
import { typeToString } from '../../compiler/types/sql-type.js';
import type { Prng } from '../../runtime/connectors/generators/prng.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';

/**
 * One datagen column, as Flink's datagen connector defines them: `fields.<col>.kind` is `random` (uniform within
 * `min`/`max`, strings of `length` hex characters, booleans fair) or `sequence` (`start`, `start` + 1, … `end`,
 * which bounds the source); `null-rate` is the probability of NULL. Values are a function of the row number:
 * the caller seeds `prng` with the row and the column before each call.
 */
export interface FieldGenerator {
  /** Rows this column can produce (a sequence's length), or Infinity. */
  readonly rows: number;
  readonly nullRate: number;
  value(row: number, prng: Prng): unknown;
}

const INT_RANGE = { min: -2147483648, max: 2147483647 };
const BIGINT_RANGE = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
/** Random timestamps fall in the year 2024, so that runs are reproducible (Flink's are relative to now). */
const TIMESTAMP_RANGE = { min: Date.UTC(2024, 0, 1), max: Date.UTC(2025, 0, 1) - 1 };
const DEFAULT_STRING_LENGTH = 100;

export function fieldGenerator(field: Field, options: ConnectorOptions): FieldGenerator {
  const key = (option: string) => `fields.${field.name}.${option}`;
  const kind = options.oneOf(key('kind'), ['random', 'sequence'], 'random');
  const nullRate = options.number(key('null-rate'), 0);
  if (nullRate > 0 && !field.nullable) {
    throw new Error(`datagen connector: '${key('null-rate')}' is ${nullRate} but column ${field.name} is NOT NULL`);
  }
  const type = field.type;
  const unsupported = () => new Error(`datagen connector: column ${field.name} has type ${typeToString(type)}, which ${kind} generation does not support`);

  if (kind === 'sequence') {
    if (type.name !== 'INT' && type.name !== 'BIGINT' && type.name !== 'DECIMAL' && type.name !== 'DOUBLE' && type.name !== 'STRING') {
      throw unsupported();
    }
    const start = options.number(key('start'));
    const end = options.number(key('end'));
    if (end < start) throw new Error(`datagen connector: '${key('end')}' (${end}) is before '${key('start')}' (${start})`);
    const asString = type.name === 'STRING';
    return { rows: end - start + 1, nullRate, value: (row) => (asString ? String(start + row) : start + row) };
  }

  switch (type.name) {
    case 'BOOLEAN':
      return { rows: Infinity, nullRate, value: (_, prng) => prng.nextBoolean() };
    case 'INT':
    case 'BIGINT':
    case 'TIMESTAMP': {
      const range = type.name === 'INT' ? INT_RANGE : type.name === 'BIGINT' ? BIGINT_RANGE : TIMESTAMP_RANGE;
      const min = options.number(key('min'), range.min);
      const span = options.number(key('max'), range.max) - min + 1;
      return { rows: Infinity, nullRate, value: (_, prng) => min + prng.nextInt(span) };
    }
    case 'DOUBLE':
    case 'DECIMAL': {
      const min = options.number(key('min'), 0);
      const span = options.number(key('max'), type.name === 'DOUBLE' ? 1 : 10 ** (type.precision - type.scale) - 1) - min;
      const factor = type.name === 'DECIMAL' ? 10 ** type.scale : 0;
      return {
        rows: Infinity,
        nullRate,
        value: (_, prng) => {
          const v = min + prng.nextDouble() * span;
          return factor === 0 ? v : Math.round(v * factor) / factor;
        },
      };
    }
    case 'STRING': {
      const length = options.count(key('length'), DEFAULT_STRING_LENGTH);
      return { rows: Infinity, nullRate, value: (_, prng) => hexString(prng, length) };
    }
    default:
      throw unsupported();
  }
}

function hexString(prng: Prng, length: number): string {
  let out = '';
  while (out.length < length) out += prng.nextUint32().toString(16).padStart(8, '0');
  return out.length === length ? out : out.slice(0, length);
}
