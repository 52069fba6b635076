/**
 * A row of an input file that does not fit the source schema. The message names the file, the line, the field
 * (and, for csv, the column number) and what was wrong, and says how to skip such rows instead of failing.
 */
export class RowFormatError extends Error {
  override readonly name = 'RowFormatError';

  constructor(
    readonly file: string,
    /** 1-based line number where the row starts. */
    readonly line: number,
    /** The schema field at fault; undefined when the row as a whole is malformed. */
    readonly field: string | undefined,
    readonly problem: string,
    /** 1-based csv column of the field, when known. */
    readonly column?: number,
  ) {
    const where = field === undefined ? '' : ` field '${field}'${column === undefined ? '' : ` (column ${column})`}:`;
    super(
      `${file}:${line}:${where} ${problem}\n` +
        `help: fix the input, or skip bad rows with 'format.ignore-parse-errors' = 'true' on the source`,
    );
  }
}

/** What a value converter throws; the decoder adds file, line and field to make it a RowFormatError. */
export class ValueProblem {
  constructor(readonly message: string) {}
}
