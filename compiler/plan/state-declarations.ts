import { connectorDefinition } from '../../connectors/definitions.js';
import { accumulatorFields, distinctValueField } from '../functions/aggregates.js';
import type { ProcessStateDeclaration } from '../functions/registry.js';
import type { TypedExpr } from '../expressions/typed-expr.js';
import type { AggregateCall, StateDescriptor } from '../graph/job-graph.js';
import { BIGINT, BOOLEAN, STRING, TIMESTAMP3, type Field } from '../types/sql-type.js';

/**
 * The state every operator kind keeps, declared so that checkpoints, savepoints and the compatibility check
 * know it without running anything. Names and shapes are part of the savepoint format: change them only with
 * a migration. `key` is the operator's key (the GROUP BY / join / DEDUPLICATE / PARTITION BY keys, named after
 * their aliases or column names; empty for a global aggregate, which has one key group).
 *
 * | operator            | name                     | scope / kind     | map key                     | value                               |
 * |---------------------|--------------------------|------------------|-----------------------------|-------------------------------------|
 * | source              | splits                   | operator list ⇄  |                             | split, position                     |
 * | sink (file, e-once) | pending-commits          | operator list ⇄  |                             | checkpoint_id, path                 |
 * | group_aggregate     | accumulators             | keyed value      |                             | accumulators of every aggregate     |
 * |                     | distinct-<alias>         | keyed map        | the distinct value          | count                               |
 * |   (updating input)  | input-rows               | keyed map        | the input's upsert key      | the input row last seen for it      |
 * | window_aggregate    | windows                  | keyed map        | window_start, window_end    | accumulators                        |
 * |                     | distinct-<alias>         | keyed map        | window bounds, value        | count                               |
 * | join (inner)        | left-rows / right-rows   | keyed list       |                             | a row of that side                  |
 * | join (left)         | left-rows                | keyed map        | the left row                | occurrences, matches                |
 * |                     | right-rows               | keyed list       |                             | a right row                         |
 * | interval_join       | left-rows / right-rows   | keyed map        | the side's event time       | a row (left join: + matched flag)   |
 * | window_join         | left-rows / right-rows   | keyed map        | window_start, window_end    | a row of that side                  |
 * | deduplicate first   | first-seen               | keyed value      |                             | seen                                |
 * | deduplicate last    | last-row                 | keyed value      |                             | the last row                        |
 * | process             | as declared              | keyed with PARTITION BY, else operator list ⇄ (or ∪)  |
 *
 * ⇄: redistributed on rescale by splitting the lists; ∪: every subtask gets all of them (`redistribution: 'union'`). Session windows use `windows` too: merging two sessions
 * replaces their entries with one under the merged bounds. A window aggregate over aligned windows (TUMBLE, HOP)
 * stores the `windows` entries of one key together, as one entry under the map key `[]` whose value lists each
 * window's bounds and accumulators (runtime/operators/packed-windows.ts): the declaration describes them per window. Map values that can hold several rows per map key
 * (a join side's rows at one time or in one window) are stored as a list of such values; a window join stores an
 * entry of one row as that row's fields after its width, `[width, field0, …]` (runtime/operators/join/packed-rows.ts).
 */

/** The key of keyed state for key expressions without names of their own: a column's name, else `key<i>`. */
export function keyFieldsOf(keys: readonly TypedExpr[]): Field[] {
  return keys.map((k, i) => ({ name: k.op === 'column' ? k.name : `key${i}`, type: k.type, nullable: k.nullable }));
}

const COUNT: Field = { name: 'count', type: BIGINT, nullable: false };

export const WINDOW_BOUNDS: readonly Field[] = [
  { name: 'window_start', type: TIMESTAMP3, nullable: false },
  { name: 'window_end', type: TIMESTAMP3, nullable: false },
];

function keyed(name: string, kind: StateDescriptor['kind'], keyType: readonly Field[], valueType: readonly Field[], description: string, mapKeyType?: readonly Field[]): StateDescriptor {
  return {
    name,
    scope: 'keyed',
    kind,
    keyType: [...keyType],
    ...(mapKeyType === undefined ? {} : { mapKeyType: [...mapKeyType] }),
    valueType: [...valueType],
    description,
  };
}

function operatorList(name: string, valueType: readonly Field[], description: string, redistribution: 'split' | 'union' = 'split'): StateDescriptor {
  return { name, scope: 'operator', kind: 'list', valueType: [...valueType], redistribution, description };
}

const SPLIT_AND_POSITION: readonly Field[] = [
  { name: 'split', type: STRING, nullable: false },
  { name: 'position', type: STRING, nullable: false },
];

/** A source's positions; and, where splits appear between runs (ConnectorDefinition.newSplitsBetweenRuns), which it read. */
export function sourceState(connector: string): StateDescriptor[] {
  const newSplitsBetweenRuns = connectorDefinition('source', connector)?.newSplitsBetweenRuns === true;
  return [
    operatorList('splits', SPLIT_AND_POSITION, 'the splits this subtask reads and the position reached in each'),
    ...(newSplitsBetweenRuns
      ? [operatorList('known-splits', SPLIT_AND_POSITION, 'every split read so far, by any subtask: a restore reads only the new ones', 'union')]
      : []),
  ];
}

/**
 * Only a sink committing in two phases keeps state (ConnectorDefinition.twoPhaseCommit; e.g. an exactly-once file
 * sink): the output written before a checkpoint, committed when it completes.
 */
export function sinkState(connector: string, options: Readonly<Record<string, string>>): StateDescriptor[] {
  if (connectorDefinition('sink', connector)?.twoPhaseCommit?.(options) !== true) return [];
  return [
    operatorList(
      'pending-commits',
      [
        { name: 'checkpoint_id', type: BIGINT, nullable: false },
        { name: 'path', type: STRING, nullable: false },
      ],
      'files written up to a checkpoint, committed when the checkpoint completes',
    ),
  ];
}

function accumulatorsOf(calls: readonly AggregateCall[]): Field[] {
  return calls.flatMap(accumulatorFields);
}

/** `retraction`: set when the input is updating; the last row seen per upsert key is kept to retract it. */
export function groupAggregateState(
  key: readonly Field[],
  calls: readonly AggregateCall[],
  retraction?: { readonly upsertKey: readonly Field[]; readonly row: readonly Field[] },
): StateDescriptor[] {
  return [
    keyed('accumulators', 'value', key, accumulatorsOf(calls), 'the accumulators of every aggregate of the group'),
    ...calls
      .filter((c) => c.distinct)
      .map((c) => keyed(`distinct-${c.name}`, 'map', key, [COUNT], `the distinct values of ${c.name} and how often each was seen`, [distinctValueField(c)])),
    ...(retraction === undefined
      ? []
      : [keyed('input-rows', 'map', key, retraction.row, 'the last input row of every upsert key of the group, to retract it when it changes', retraction.upsertKey)]),
  ];
}

export function windowAggregateState(key: readonly Field[], calls: readonly AggregateCall[], session: boolean): StateDescriptor[] {
  return [
    keyed(
      'windows',
      'map',
      key,
      accumulatorsOf(calls),
      session ? 'the accumulators of every open session of the key, by its (merged) bounds' : 'the accumulators of every open window of the key',
      WINDOW_BOUNDS,
    ),
    ...calls
      .filter((c) => c.distinct)
      .map((c) =>
        keyed(`distinct-${c.name}`, 'map', key, [COUNT], `the distinct values of ${c.name} per window`, [...WINDOW_BOUNDS, distinctValueField(c)]),
      ),
  ];
}

export function joinState(joinType: 'inner' | 'left', key: readonly Field[], left: readonly Field[], right: readonly Field[]): StateDescriptor[] {
  const leftRows =
    joinType === 'inner'
      ? keyed('left-rows', 'list', key, left, 'every left row of the key')
      : keyed(
          'left-rows',
          'map',
          key,
          [
            { name: 'occurrences', type: BIGINT, nullable: false },
            { name: 'matches', type: BIGINT, nullable: false },
          ],
          'every left row of the key, how often it arrived and how many right rows it joined (0: emitted padded with NULLs)',
          left,
        );
  return [leftRows, keyed('right-rows', 'list', key, right, 'every right row of the key')];
}

export function intervalJoinState(
  joinType: 'inner' | 'left',
  key: readonly Field[],
  left: readonly Field[],
  right: readonly Field[],
  leftTime: Field,
  rightTime: Field,
): StateDescriptor[] {
  const matched: Field[] = joinType === 'left' ? [{ name: 'matched', type: BOOLEAN, nullable: false }] : [];
  const time = (f: Field): Field[] => [{ name: f.name, type: f.type, nullable: false }];
  return [
    keyed('left-rows', 'map', key, [...left, ...matched], 'left rows by event time, until the watermark passes their upper bound', time(leftTime)),
    keyed('right-rows', 'map', key, right, 'right rows by event time, until the watermark passes their upper bound', time(rightTime)),
  ];
}

export function windowJoinState(key: readonly Field[], left: readonly Field[], right: readonly Field[]): StateDescriptor[] {
  return [
    keyed('left-rows', 'map', key, left, 'left rows of every open window of the key', WINDOW_BOUNDS),
    keyed('right-rows', 'map', key, right, 'right rows of every open window of the key', WINDOW_BOUNDS),
  ];
}

export function deduplicateState(keep: 'first' | 'last', key: readonly Field[], row: readonly Field[]): StateDescriptor[] {
  return keep === 'first'
    ? [keyed('first-seen', 'value', key, [{ name: 'seen', type: BOOLEAN, nullable: false }], 'whether a row of the key was emitted')]
    : [keyed('last-row', 'value', key, row, 'the last row of the key')];
}

/**
 * `key` undefined: the function runs without PARTITION BY, where only list (and raw) state is possible (checked by the
 * planner). Raw state is per subtask with or without a key.
 */
export function processState(declarations: readonly ProcessStateDeclaration[], key: readonly Field[] | undefined): StateDescriptor[] {
  return declarations.map((d) => {
    const description = `state '${d.name}' of the process function`;
    if (d.kind === 'raw') return { name: d.name, scope: 'operator', kind: 'raw', valueType: [], description: `raw ${description} (bytes per subtask)` };
    if (key === undefined) return operatorList(d.name, d.valueType, description, d.redistribution);
    const descriptor = keyed(d.name, d.kind, key, d.valueType, description, d.mapKeyType);
    return d.ttl === undefined ? descriptor : { ...descriptor, ttl: d.ttl };
  });
}
