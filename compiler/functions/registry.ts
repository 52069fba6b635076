import type { Field, SqlType } from '../types/sql-type.js';
import type { StateTtlConfig } from '../graph/job-graph.js';

/**
 * What the compiler needs to know of user code registered through the Node API (or `--functions module.js`):
 * signatures only. The runtime receives the same definitions with their implementations.
 */
export interface ScalarUdfSignature {
  readonly name: string;
  readonly args: readonly SqlType[];
  readonly returns: SqlType;
  /** Whether the result can be NULL for non-NULL arguments; a NULL argument always gives NULL unless `callOnNull`. */
  readonly nullable?: boolean;
  readonly callOnNull?: boolean;
}

export interface ScalarUdf extends ScalarUdfSignature {
  readonly fn: (...args: never[]) => unknown;
}

/** A state a process function declares, so checkpoints and the savepoint check know it without running it. */
export interface ProcessStateDeclaration {
  readonly name: string;
  /**
   * Reducing and aggregating state store one value per key, `valueType` (the reduced value, the accumulator);
   * raw state is bytes per subtask that the function writes and reads back itself (no `valueType`: empty).
   */
  readonly kind: 'value' | 'list' | 'map' | 'reducing' | 'aggregating' | 'raw';
  readonly valueType: readonly Field[];
  readonly mapKeyType?: readonly Field[];
  /** List state without PARTITION BY (operator state): how a rescale deals the subtasks' lists; `split` by default. */
  readonly redistribution?: 'split' | 'union';
  /** Keyed state only: when a key's entry expires (Flink's StateTtlConfig). */
  readonly ttl?: StateTtlConfig;
}

export interface ProcessFunctionSignature {
  readonly name: string;
  readonly args: readonly SqlType[];
  /** The rows it emits: the same schema as its input, or these columns. */
  readonly output: 'input' | readonly Field[];
  readonly state: readonly ProcessStateDeclaration[];
}

export interface FunctionSignatures {
  readonly scalars?: readonly ScalarUdfSignature[];
  readonly processes?: readonly ProcessFunctionSignature[];
}
