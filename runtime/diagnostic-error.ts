import { createDiagnostic, type Diagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../compiler/diagnostics/diagnostic.js';

const NOWHERE = { offset: 0, length: 0 };

/**
 * A refusal of the runtime that has an entry in the diagnostic catalogue (a lock held by another job, committed
 * output newer than the checkpoint to restore, …). It carries the diagnostic so that `sluice run` prints it with
 * its code and help line and exits as the code says, and Node API callers can branch on `code`.
 */
export class DiagnosticError extends Error {
  readonly diagnostic: Diagnostic;

  constructor(definition: DiagnosticDefinition, args: DiagnosticArgs, where = '<job>') {
    const diagnostic = createDiagnostic(definition, where, NOWHERE, args);
    super(diagnostic.help === undefined ? diagnostic.message : `${diagnostic.message}\n${diagnostic.help}`);
    this.name = 'DiagnosticError';
    this.diagnostic = diagnostic;
  }

  /** The DiagnosticError that carried `diagnostic` in another thread (errors lose their class when cloned). */
  static revive(diagnostic: Diagnostic): DiagnosticError {
    const error = Object.create(DiagnosticError.prototype) as DiagnosticError & { diagnostic: Diagnostic };
    Object.assign(error, { name: 'DiagnosticError', diagnostic, message: diagnostic.help === undefined ? diagnostic.message : `${diagnostic.message}\n${diagnostic.help}` });
    return error;
  }

  get code(): string {
    return this.diagnostic.code;
  }
}
