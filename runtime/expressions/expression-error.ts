/**
 * A runtime failure of a compiled expression (integer division by zero, a CAST of a value that does not fit).
 * It fails the job as Flink's ArithmeticException / cast errors do; the message names the expression.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    message: string,
    /** The failing expression written as SQL, e.g. `a / b`. */
    readonly expression: string,
  ) {
    super(message);
  }
}
