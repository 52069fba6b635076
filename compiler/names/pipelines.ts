import type { Pipeline, Script, Statement } from '../../grammar/ast/index.js';

/** The pipeline of each view and INSERT, in program order, with its statement and the statement's position. */
export function pipelinesOf(script: Script): { pipeline: Pipeline; statement: Statement; index: number }[] {
  return script.statements.flatMap((statement, index) =>
    statement.kind === 'CreateView' || statement.kind === 'InsertInto' ? [{ pipeline: statement.pipeline, statement, index }] : [],
  );
}
