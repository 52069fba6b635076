import type { WindowStep } from '../../grammar/ast/index.js';
import { Scope } from '../expressions/scope.js';
import type { StreamSchema, WindowSpec } from '../graph/job-graph.js';

/**
 * A WINDOW step not yet turned into an operator: the step after it decides whether it is folded into a window
 * aggregate, or becomes a `window_assign` (see `materializeWindow`). `schema`/`qualifiers` are the stream as
 * seen after the WINDOW (with window_start and window_end appended).
 */
export interface PendingWindow {
  readonly step: WindowStep;
  readonly spec: WindowSpec;
  readonly schema: StreamSchema;
  readonly qualifiers: readonly (string | undefined)[];
}

/**
 * The output of a pipeline prefix: the operator producing it (`node`, a provisional id of the GraphBuilder),
 * its schema, and the qualifier of each column (the FROM alias or stream name; both sides' after a JOIN;
 * undefined for computed columns).
 */
export interface PlannedStream {
  readonly node: string;
  readonly schema: StreamSchema;
  readonly qualifiers: readonly (string | undefined)[];
  readonly pendingWindow?: PendingWindow;
}

/** The columns as a step after this stream sees them: with the window columns of a pending WINDOW. */
export function visibleShape(stream: PlannedStream): { schema: StreamSchema; qualifiers: readonly (string | undefined)[] } {
  return stream.pendingWindow ?? stream;
}

export function scopeOf(shape: { schema: StreamSchema; qualifiers: readonly (string | undefined)[] }): Scope {
  return new Scope(shape.schema.fields.map((field, index) => ({ qualifier: shape.qualifiers[index], field, index })));
}

/** The stream as read by `FROM name [AS alias]`: every column qualified by the alias or name alone. */
export function requalify(stream: PlannedStream, qualifier: string): PlannedStream {
  const all = (n: number): string[] => new Array<string>(n).fill(qualifier);
  const pending = stream.pendingWindow;
  return {
    node: stream.node,
    schema: stream.schema,
    qualifiers: all(stream.schema.fields.length),
    ...(pending === undefined ? {} : { pendingWindow: { ...pending, qualifiers: all(pending.schema.fields.length) } }),
  };
}
