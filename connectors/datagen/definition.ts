import { enumType, integerType, numberType, timestampType, type ValueType } from '../../compiler/config/value-types.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { Field, SqlTypeName } from '../../compiler/types/sql-type.js';
import {
  option,
  warnUnlessOptionIs,
  type ColumnOptionDefinition,
  type ConnectorContext,
  type ConnectorDefinition,
} from '../../compiler/connectors/connector-definition.js';

const NUMERIC: ReadonlySet<SqlTypeName> = new Set(['INT', 'BIGINT', 'DOUBLE', 'DECIMAL']);
const RANGED: ReadonlySet<SqlTypeName> = new Set([...NUMERIC, 'TIMESTAMP']);
const SEQUENCE_CAPABLE: ReadonlySet<SqlTypeName> = new Set([...NUMERIC, 'STRING']);
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const DEFAULT_STRING_LENGTH = 100;

const isRanged = (column: Field): boolean => RANGED.has(column.type.name);
const isSequenceCapable = (column: Field): boolean => SEQUENCE_CAPABLE.has(column.type.name);

/** The values a column of this type can hold: the bounds of `min`/`max`. */
function valueRange(column: Field): readonly [number, number] {
  switch (column.type.name) {
    case 'INT':
      return [INT_MIN, INT_MAX];
    case 'DECIMAL': {
      const bound = 10 ** (column.type.precision - column.type.scale) - 10 ** -column.type.scale;
      return [-bound, bound];
    }
    // Numbers are exact up to 2^53 at run time, so BIGINT and TIMESTAMP stay within the safe integers.
    case 'BIGINT':
    case 'TIMESTAMP':
      return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    default:
      return [-Number.MAX_VALUE, Number.MAX_VALUE];
  }
}

/**
 * Defaults of random `min`/`max`: integers span their type as in Flink; DOUBLE and DECIMAL are non-negative (a
 * DOUBLE in [0, 1] like Math.random(), since Flink's full-range default is of no use); timestamps fall in 2024,
 * so that runs are reproducible (Flink's are relative to the current time).
 */
function defaultRange(column: Field): readonly [number, number] {
  switch (column.type.name) {
    case 'DOUBLE':
      return [0, 1];
    case 'DECIMAL':
      return [0, valueRange(column)[1]];
    case 'TIMESTAMP':
      return [Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1) - 1];
    default:
      return valueRange(column);
  }
}

function boundType(column: Field): ValueType<number> {
  if (column.type.name === 'TIMESTAMP') return timestampType;
  const [low, high] = valueRange(column);
  return column.type.name === 'INT' || column.type.name === 'BIGINT' ? integerType(low, high) : numberType(low, high);
}

function sequenceBoundType(column: Field): ValueType<number> {
  return column.type.name === 'INT' ? integerType(INT_MIN, INT_MAX) : integerType();
}

const columnOptions: readonly ColumnOptionDefinition[] = [
  {
    suffix: 'kind',
    description:
      "'random' (default) or 'sequence': a sequence counts from start to end and then the source ends, even before 'number-of-rows'.",
    applies: 'every column (sequence: INT, BIGINT, DOUBLE, DECIMAL and STRING columns)',
    appliesTo: () => true,
    typeFor: (column) => (isSequenceCapable(column) ? enumType(['random', 'sequence']) : enumType(['random'])),
  },
  {
    suffix: 'min',
    description: "Smallest random value (default: INT and BIGINT the smallest of the type, DOUBLE and DECIMAL 0, TIMESTAMP '2024-01-01 00:00:00').",
    applies: 'INT, BIGINT, DOUBLE, DECIMAL and TIMESTAMP(3) columns',
    appliesTo: isRanged,
    typeFor: boundType,
  },
  {
    suffix: 'max',
    description: "Largest random value (default: the largest of the type, DOUBLE 1, TIMESTAMP '2024-12-31 23:59:59.999').",
    applies: 'INT, BIGINT, DOUBLE, DECIMAL and TIMESTAMP(3) columns',
    appliesTo: isRanged,
    typeFor: boundType,
  },
  {
    suffix: 'length',
    description: `Length of random strings (default ${DEFAULT_STRING_LENGTH}).`,
    applies: 'STRING columns',
    appliesTo: (column) => column.type.name === 'STRING',
    typeFor: () => integerType(0),
  },
  {
    suffix: 'start',
    description: 'First value of a sequence (required for a sequence).',
    applies: 'INT, BIGINT, DOUBLE, DECIMAL and STRING columns',
    appliesTo: isSequenceCapable,
    typeFor: sequenceBoundType,
  },
  {
    suffix: 'end',
    description: 'Last value of a sequence (required for a sequence).',
    applies: 'INT, BIGINT, DOUBLE, DECIMAL and STRING columns',
    appliesTo: isSequenceCapable,
    typeFor: sequenceBoundType,
  },
  {
    suffix: 'null-rate',
    description: 'Fraction of NULL values, from 0 (default) to 1; NOT NULL columns must keep 0.',
    applies: 'every column',
    appliesTo: () => true,
    typeFor: () => numberType(0, 1),
  },
];

export const datagenSource: ConnectorDefinition = {
  name: 'datagen',
  description:
    "Generates rows like Flink's datagen connector, deterministically from the row index: the same rows on every run and after every restore.",
  options: [
    option('number-of-rows', integerType(0), 'Rows to generate; unset means unbounded.'),
    option('rows-per-second', numberType(0), 'Wall-clock throttle; unset or 0 generates as fast as possible.'),
  ],
  columnOptions,
  check: (context) => {
    for (const column of context.columns) checkColumn(context, column);
  },
};

/** Fills a column's defaults and checks the options that only make sense together. */
function checkColumn(context: ConnectorContext, column: Field): void {
  const key = (suffix: string): string => `fields.${column.name}.${suffix}`;
  const fill = (suffix: string, value: string | number): void => {
    if (context.entry(key(suffix)) === undefined) context.options[key(suffix)] = String(value);
  };
  fill('kind', 'random');
  fill('null-rate', 0);
  const kind = context.options[key('kind')];
  if (kind === 'sequence') {
    for (const suffix of ['min', 'max', 'length']) warnUnlessOptionIs(context, key(suffix), key('kind'), 'random');
    const kindSpan = context.entry(key('kind'))!.value.span;
    for (const suffix of ['start', 'end']) {
      if (context.entry(key(suffix)) === undefined) {
        context.bag.report(Diagnostics.SequenceNeedsBounds, kindSpan, { column: column.name, key: key(suffix) });
      }
    }
    checkRange(context, key('start'), key('end'));
  } else if (kind === 'random') {
    for (const suffix of ['start', 'end']) warnUnlessOptionIs(context, key(suffix), key('kind'), 'sequence');
    if (isRanged(column)) {
      const [low, high] = defaultRange(column);
      fill('min', low);
      fill('max', high);
      checkRange(context, key('min'), key('max'));
    } else if (column.type.name === 'STRING') {
      fill('length', DEFAULT_STRING_LENGTH);
    }
  }
  const nullRate = context.options[key('null-rate')];
  if (!column.nullable && nullRate !== undefined && Number(nullRate) > 0) {
    context.bag.report(Diagnostics.NullsInNotNullColumn, context.entry(key('null-rate'))!.value.span, {
      key: key('null-rate'),
      value: nullRate,
      column: column.name,
    });
  }
}

/** Reports low > high, at whichever of the two was written (a default is never to blame). */
function checkRange(context: ConnectorContext, lowKey: string, highKey: string): void {
  const low = context.options[lowKey];
  const high = context.options[highKey];
  if (low === undefined || high === undefined || Number(low) <= Number(high)) return;
  const blamed = context.entry(lowKey) ?? context.entry(highKey);
  if (blamed === undefined) return;
  context.bag.report(Diagnostics.EmptyRange, blamed.value.span, { lowKey, low, highKey, high });
}
