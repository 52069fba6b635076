import { FlinkSQL } from 'dt-sql-parser';

const parser = new FlinkSQL();

/** Syntax errors a real Flink SQL grammar (dt-sql-parser's, generated from Flink's) finds in a script, as `line:col message`. */
export function flinkSyntaxErrors(script: string): string[] {
  return parser.validate(script).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}
