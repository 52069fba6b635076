import type { Script, Span, Step, StepKind, UidClause } from '../../grammar/ast/index.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { pipelinesOf } from './pipelines.js';
import { suggestStepUid, uniqueUid } from './suggest-uid.js';

/**
 * Which steps keep state and so must carry a UID. WINDOW keeps none of its own: the AGGREGATE or JOIN it feeds
 * holds the window state under that step's UID.
 */
const NEEDS_UID: Record<StepKind, boolean> = {
  WhereStep: false,
  SelectStep: false,
  ExtendStep: false,
  WindowStep: false,
  AggregateStep: true,
  JoinStep: true,
  UnionStep: false,
  DeduplicateStep: true,
  ProcessStep: true,
};

function stepDescription(step: Step): string {
  switch (step.kind) {
    case 'JoinStep':
      return `the JOIN with '${step.right.name.name}'`;
    case 'ProcessStep':
      return `the PROCESS step '${step.function.name}'`;
    default:
      return `the ${step.kind.replace(/Step$/, '').toUpperCase()} step`;
  }
}

/**
 * Checks the UIDs of the whole program: sources, sinks and stateful steps must have one (the error suggests
 * one derived from the context, unique in the program), none may be empty, and none may be used twice.
 */
export function checkUids(script: Script, bag: DiagnosticBag): void {
  const seen = new Map<string, UidClause>();
  const taken = new Set<string>();
  const missing: { what: string; span: Span; suggest: () => string; empty: boolean }[] = [];

  const visit = (uid: UidClause | undefined, what: string, span: Span, suggest: () => string, required: boolean): void => {
    if (uid === undefined) {
      if (required) missing.push({ what, span, suggest, empty: false });
      return;
    }
    if (uid.value.trim() === '') {
      missing.push({ what, span: uid.span, suggest, empty: true });
      return;
    }
    taken.add(uid.value);
    const first = seen.get(uid.value);
    if (first === undefined) {
      seen.set(uid.value, uid);
      return;
    }
    bag.report(Diagnostics.DuplicateUid, uid.span, { uid: uid.value }, [
      { message: `'${uid.value}' is first used here`, file: bag.file, span: first.span },
    ]);
  };

  for (const statement of script.statements) {
    if (statement.kind === 'CreateSource' || statement.kind === 'CreateSink') {
      const kind = statement.kind === 'CreateSource' ? 'source' : 'sink';
      const name = statement.name.name;
      visit(statement.uid, `${kind} '${name}'`, statement.name.span, () => uniqueUid(`${name}-${kind}`, taken), true);
    }
  }
  for (const { pipeline } of pipelinesOf(script)) {
    for (const step of pipeline.steps) {
      visit(step.uid, stepDescription(step), step.span, () => suggestStepUid(step, pipeline, taken), NEEDS_UID[step.kind]);
    }
  }
  // Suggestions are made once every written UID is known, so that none of them collides with one.
  for (const { what, span, suggest, empty } of missing) {
    bag.report(empty ? Diagnostics.EmptyUid : Diagnostics.MissingUid, span, { what, suggestion: suggest() });
  }
}
