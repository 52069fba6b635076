import { aggregateCallsRule } from './aggregate-calls.js';
import { aggregateInputChangelogRule } from './aggregate-input-changelog.js';
import { deduplicateKeepRule } from './deduplicate-keep.js';
import { joinTypeRule } from './join-type.js';
import { mapKeyRule } from './map-key.js';
import { maxParallelismRule } from './max-parallelism.js';
import { newStateRule } from './new-state.js';
import { operatorKindRule } from './operator-kind.js';
import { processFunctionRule } from './process-function.js';
import { processStateTtlRule } from './process-state-ttl.js';
import type { Rule } from './rule.js';
import { sourceIdentityRule } from './source-identity.js';
import { sourceOptionsRule } from './source-options.js';
import { stateKeyRule } from './state-key.js';
import { stateKindRule } from './state-kind.js';
import { stateTtlRule } from './state-ttl.js';
import { undeclaredSavedOperatorRule } from './undeclared-saved-operator.js';
import { unmatchedStateRule } from './unmatched-state.js';
import { valueSchemaRule } from './value-schema.js';
import { windowRule } from './window.js';

/**
 * Every compatibility rule. Each looks at the matched steps on its own; their order is the order of a state's
 * reasons in the report: the whole job and step first, then the step's specifics, then the state's shape.
 */
export const RULES: readonly Rule[] = [
  maxParallelismRule,
  operatorKindRule,
  undeclaredSavedOperatorRule,
  unmatchedStateRule,
  newStateRule,
  sourceIdentityRule,
  sourceOptionsRule,
  aggregateCallsRule,
  aggregateInputChangelogRule,
  windowRule,
  joinTypeRule,
  deduplicateKeepRule,
  processFunctionRule,
  stateTtlRule,
  processStateTtlRule,
  stateKindRule,
  stateKeyRule,
  mapKeyRule,
  valueSchemaRule,
];
