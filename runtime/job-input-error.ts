import type { DiagnosticArgs, DiagnosticDefinition } from '../compiler/diagnostics/diagnostic.js';
import { DiagnosticError } from './diagnostic-error.js';

/**
 * A mistake in what a Node program gives the job (SLC916x): a `sources`/`sinks` entry `Job.start` cannot use, or a
 * fed row that does not fit its source's schema. `uid` names the source or sink; for a row, `row` is its 0-based
 * index in the feed (counted from the feed's first row, across batches and restores) and `column` the column at
 * fault, when one is.
 */
export class JobInputError extends DiagnosticError {
  readonly uid: string;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(definition: DiagnosticDefinition, args: DiagnosticArgs & { readonly uid: string; readonly row?: number; readonly column?: string }) {
    super(definition, args);
    this.name = 'JobInputError';
    this.uid = args.uid;
    this.row = args.row;
    this.column = args.column;
  }
}
