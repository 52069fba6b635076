import type { ColumnDef, CreateSink, CreateSource, OptionEntry } from '../../grammar/ast/statements.js';
import type { Identifier, Span } from '../../grammar/ast/span.js';
import { typeToString, type Field } from '../../compiler/types/sql-type.js';
import { quotedPairs } from '../config/quoted-pairs.js';

/** A CREATE SOURCE / CREATE SINK written out as text, with the AST a parser would give for it. */
export interface Fixture<T> {
  readonly text: string;
  readonly stmt: T;
}

function identifier(name: string, offset: number): Identifier {
  return { kind: 'Identifier', name, quoted: false, span: { offset, length: name.length } };
}

function optionEntries(text: string, withOffset: number): OptionEntry[] {
  return quotedPairs(text, withOffset).map(({ key, value, span }) => ({ kind: 'OptionEntry', key, value, span }));
}

/** `CREATE SOURCE src (<columns>) WITH (<options>)` where `options` is written as in a .pipe file. */
export function sourceFixture(options: string, columns: readonly Field[] = []): Fixture<CreateSource> {
  let text = 'CREATE SOURCE src (';
  const columnDefs: ColumnDef[] = columns.map((column, i) => {
    if (i > 0) text += ', ';
    const start = text.length;
    const typeText = typeToString(column.type);
    text += `${column.name} ${typeText}${column.nullable ? '' : ' NOT NULL'}`;
    const typeSpan: Span = { offset: start + column.name.length + 1, length: typeText.length };
    return {
      kind: 'ColumnDef',
      name: identifier(column.name, start),
      type: { kind: 'TypeRef', name: column.type.name, params: [], span: typeSpan },
      notNull: !column.nullable,
      span: { offset: start, length: text.length - start },
    };
  });
  text += ') WITH (';
  const entries = optionEntries(options, text.length);
  text += `${options})`;
  const stmt: CreateSource = {
    kind: 'CreateSource',
    name: identifier('src', 'CREATE SOURCE '.length),
    columns: columnDefs,
    options: entries,
    span: { offset: 0, length: text.length },
  };
  return { text, stmt };
}

/** `CREATE SINK out WITH (<options>)`. */
export function sinkFixture(options: string): Fixture<CreateSink> {
  const prefix = 'CREATE SINK out WITH (';
  const text = `${prefix}${options})`;
  const stmt: CreateSink = {
    kind: 'CreateSink',
    name: identifier('out', 'CREATE SINK '.length),
    options: optionEntries(options, prefix.length),
    span: { offset: 0, length: text.length },
  };
  return { text, stmt };
}
