import { parseWith } from '../../../grammar/parse.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { FlinkScript } from './ast.js';
import { flinkSqlParser } from './parser.js';
import { buildFlinkScript } from './to-ast.js';
import { createFlinkLexer } from './tokens.js';

let lexer: ReturnType<typeof createFlinkLexer> | undefined;

/** Parses a Flink SQL script of the importable subset; never throws (errors are diagnostics, as for `.pipe`). */
export function parseFlinkSql(text: string, file: string): { readonly value: FlinkScript; readonly diagnostics: Diagnostic[] } {
  lexer ??= createFlinkLexer({ validate: false });
  const parser = flinkSqlParser();
  return parseWith(text, file, {
    lexer,
    parser,
    empty: { statements: [] },
    build: (tokens, bag) => buildFlinkScript(parser.parseFlinkScript(tokens), bag, parser.errors.length > 0),
  });
}
