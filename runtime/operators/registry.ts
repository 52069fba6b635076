import type { Operator, OperatorKind, OperatorSpec } from '../../compiler/graph/job-graph.js';
import type { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import type { RecoveryTimes, SinkEnvironment } from '../connectors/sink-connector.js';
import type { UdfImplementations } from '../expressions/compile-expr.js';
import type { JobWarning } from '../execution/job-events.js';
import type { AlignmentCoordinatorPort } from '../time/alignment-messages.js';
import type { Clock } from '../time/clock.js';
import { GroupAggregateOperator } from './aggregate/group-aggregate.js';
import { WindowAggregateOperator } from './aggregate/window-aggregate.js';
import { CallbackSinkWriter, type CallbackSinkOptions } from './callback-sink.js';
import { DeduplicateOperator } from './deduplicate.js';
import { FilterOperator } from './filter.js';
import { feedSourceConnector, type SourceFeed } from './iterable-source.js';
import { IntervalJoinOperator } from './join/interval-join.js';
import { RegularJoinOperator } from './join/regular-join.js';
import { WindowJoinOperator } from './join/window-join.js';
import type { SourceOperator, StreamOperator } from './operator.js';
import { ProcessOperator } from './process/process-operator.js';
import { registeredProcessFunction } from './process/registered-process-function.js';
import { ProjectOperator } from './project.js';
import { SinkOperator } from './sink.js';
import { SourceOperatorImpl } from './source.js';
import { UnionOperator } from './union.js';
import { WindowAssignOperator } from './window-assign.js';

/** What an operator factory may use besides the job-graph node: one per operator subtask. */
export interface OperatorEnvironment {
  readonly jobId: string;
  /** Unique per run of the job (file names of sinks). */
  readonly runId: string;
  /** The job's lineage (sink-connector.ts SinkContext). */
  readonly lineage: string;
  readonly subtask: number;
  readonly parallelism: number;
  readonly udfs: UdfImplementations;
  readonly clock: Clock;
  /** The runtimes of the connectors the job opens, loaded when it started. */
  readonly connectors: ConnectorRuntimes;
  /** Rows a source asks of a reader per read. */
  readonly batchSize: number;
  /** Sources fed through the Node API, by source uid. */
  readonly sourceFeeds: ReadonlyMap<string, SourceFeed>;
  /** Sinks read through a callback, by sink uid. */
  readonly sinkCallbacks: ReadonlyMap<string, CallbackSinkOptions>;
  readonly sinkEnvironment: SinkEnvironment;
  /** How soon a failed job is back (sink-connector.ts); absent in operator tests. */
  readonly recovery?: RecoveryTimes;
  /** Emits a job warning (JobEvents `warning`): a fault handled that the user should hear of. */
  readonly warn: (warning: JobWarning) => void;
  /** Process functions registered through the Node API, by name (used by the `process` operator). */
  readonly processFunctions: ReadonlyMap<string, unknown>;
  /** The watermark alignment coordinator of the attempt (sources in an alignment group report to it). */
  readonly alignment?: AlignmentCoordinatorPort;
}

export type OperatorFactory = (operator: Operator, env: OperatorEnvironment) => StreamOperator | SourceOperator;

/** The spec of `operator`, narrowed to `kind` (the registry entry of that kind is only called for it). */
export function specOf<K extends OperatorKind>(operator: Operator, kind: K): Extract<OperatorSpec, { kind: K }> {
  if (operator.spec.kind !== kind) throw new Error(`${operator.id} is a ${operator.spec.kind} operator, not ${kind}`);
  return operator.spec as Extract<OperatorSpec, { kind: K }>;
}

function notImplementedYet(kind: OperatorKind): OperatorFactory {
  return (operator) => {
    throw new Error(`operator '${operator.uid ?? operator.id}': the runtime has no ${kind} operator yet`);
  };
}

/**
 * The runtime operator for each job-graph operator kind. Stateful operators register here (one line each),
 * built on the operator and state APIs of operator.ts and state/.
 */
export const operatorFactories: Record<OperatorKind, OperatorFactory> = {
  source: (operator, env) => {
    const feed = operator.uid === null ? undefined : env.sourceFeeds.get(operator.uid);
    const warn = (message: string) => env.warn({ operator: operator.uid ?? operator.id, subtask: env.subtask, message });
    const connector =
      feed !== undefined
        ? feedSourceConnector(operator.uid!, feed, operator.output)
        : env.connectors.createSource(specOf(operator, 'source'), operator.output, { parallelism: env.parallelism, clock: () => env.clock.now(), warn });
    return new SourceOperatorImpl(operator, {
      connector,
      udfs: env.udfs,
      batchSize: env.batchSize,
      warn,
      ...(env.alignment === undefined ? {} : { alignment: env.alignment }),
    });
  },
  filter: (operator, env) => new FilterOperator(specOf(operator, 'filter'), env.udfs),
  project: (operator, env) => new ProjectOperator(specOf(operator, 'project'), env.udfs),
  window_assign: (operator) => new WindowAssignOperator(specOf(operator, 'window_assign')),
  union: () => new UnionOperator(),
  sink: (operator, env) => {
    const callback = operator.uid === null ? undefined : env.sinkCallbacks.get(operator.uid);
    const schema = operator.inputs[0] ?? operator.output;
    const writer =
      callback !== undefined
        ? new CallbackSinkWriter(callback.callback, env.subtask, callback.maxInFlight)
        : env.connectors.createSinkWriter(
            specOf(operator, 'sink'),
            schema,
            {
              jobId: env.jobId,
              runId: env.runId,
              subtask: env.subtask,
              parallelism: env.parallelism,
              uid: operator.uid ?? operator.id,
              lineage: env.lineage,
              warn: (message) => env.warn({ operator: operator.uid ?? operator.id, subtask: env.subtask, message }),
              ...(env.recovery === undefined ? {} : { recovery: env.recovery }),
            },
            env.sinkEnvironment,
          );
    return new SinkOperator(writer);
  },
  group_aggregate: (operator, env) => new GroupAggregateOperator(specOf(operator, 'group_aggregate'), operator.inputs[0]!, env.udfs),
  window_aggregate: (operator, env) => new WindowAggregateOperator(specOf(operator, 'window_aggregate'), operator.inputs[0]!, env.udfs),
  join: (operator, env) => new RegularJoinOperator(operator, specOf(operator, 'join'), env.udfs),
  interval_join: (operator, env) => new IntervalJoinOperator(operator, specOf(operator, 'interval_join'), env.udfs),
  window_join: (operator, env) => new WindowJoinOperator(operator, specOf(operator, 'window_join'), env.udfs),
  deduplicate: (operator, env) => new DeduplicateOperator(specOf(operator, 'deduplicate'), env.udfs),
  process: (operator, env) => new ProcessOperator(operator, registeredProcessFunction(operator, specOf(operator, 'process').function, env.processFunctions), env.udfs),
};
