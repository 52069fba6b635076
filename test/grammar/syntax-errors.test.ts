import { describe, expect, it } from 'vitest';
import { parse } from '../../grammar/parse.js';

/** Each diagnostic as `code @offset+length message`, the form the snapshots pin. */
function errors(text: string): string[] {
  return parse(text).diagnostics.map((d) => `${d.code} @${d.span.offset}+${d.span.length} ${d.message}`);
}

describe('each wrong form gets a clear diagnostic at the right place', () => {
  it('a character outside the language', () => {
    expect(errors("SET 'a' = 'b'; # ")).toMatchInlineSnapshot(`
      [
        "SLC1001 @15+1 unexpected character '#'",
      ]
    `);
  });

  it('an unterminated string, quoted name or comment, without an echo at the end of the file', () => {
    expect(errors("SET 'a' = 'b;")).toMatchInlineSnapshot(`
      [
        "SLC1002 @10+1 unterminated string literal",
      ]
    `);
    expect(errors('INSERT INTO `out FROM x;')).toMatchInlineSnapshot(`
      [
        "SLC1003 @12+1 unterminated quoted identifier",
      ]
    `);
    expect(errors("SET 'a' = 'b'; /* open")).toMatchInlineSnapshot(`
      [
        "SLC1004 @15+1 unterminated block comment",
      ]
    `);
  });

  it("a missing ';' points just after the statement", () => {
    expect(errors("SET 'a' = 'b'\nSET 'c' = 'd';")).toMatchInlineSnapshot(`
      [
        "SLC1010 @13+0 expected ';' after the statement, found 'SET'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x')).toMatchInlineSnapshot(`
      [
        "SLC1010 @22+0 expected ';' after the statement, found the end of the file",
      ]
    `);
  });

  it("a step without '|>' points at the step", () => {
    expect(errors('INSERT INTO out FROM x WHERE a;')).toMatchInlineSnapshot(`
      [
        "SLC1011 @23+5 expected '|>' before 'WHERE'",
      ]
    `);
  });

  it('an unknown statement, CREATE kind or step', () => {
    expect(errors('SELECT * FROM x;')).toMatchInlineSnapshot(`
      [
        "SLC1014 @0+6 expected a statement, found 'SELECT'",
      ]
    `);
    expect(errors('CREATE TABLE t (a INT);')).toMatchInlineSnapshot(`
      [
        "SLC1015 @7+5 expected SOURCE, SINK, VIEW or FUNCTION after CREATE, found 'TABLE'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> ORDER BY a;')).toMatchInlineSnapshot(`
      [
        "SLC1016 @26+5 expected a step after '|>', found 'ORDER'",
      ]
    `);
  });

  it('a CREATE FUNCTION in another language', () => {
    expect(errors("CREATE FUNCTION f AS 'f.py' LANGUAGE PYTHON;")).toMatchInlineSnapshot(`
      [
        "SLC1040 @37+6 CREATE FUNCTION's LANGUAGE PYTHON is not supported",
      ]
    `);
  });

  it('a missing expression names what came before it', () => {
    expect(errors('INSERT INTO out FROM x |> WHERE |> SELECT a;')).toMatchInlineSnapshot(`
      [
        "SLC1013 @32+2 expected an expression after 'WHERE', found '|>'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> WHERE\n;')).toMatchInlineSnapshot(`
      [
        "SLC1013 @31+0 expected an expression after 'WHERE', found ';'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT a + ;')).toMatchInlineSnapshot(`
      [
        "SLC1013 @37+1 expected an expression after '+', found ';'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT f(a, );')).toMatchInlineSnapshot(`
      [
        "SLC1013 @38+1 expected an expression after ',', found ')'",
      ]
    `);
  });

  it('a reserved word where a name or an expression belongs', () => {
    expect(errors('INSERT INTO out FROM select;')).toMatchInlineSnapshot(`
      [
        "SLC1017 @21+6 expected a name after 'FROM', found the reserved word 'select'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> WHERE from;')).toMatchInlineSnapshot(`
      [
        "SLC1018 @32+4 expected an expression after 'WHERE', found the reserved word 'from'",
      ]
    `);
  });

  it('a missing token is reported just after the token before it', () => {
    expect(errors('CREATE SOURCE (a INT) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1012 @13+0 expected a name after 'SOURCE', found '('",
      ]
    `);
    expect(errors("SET 'a' 'b';")).toMatchInlineSnapshot(`
      [
        "SLC1012 @7+0 expected '=' after the string 'a', found the string 'b'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> EXTEND a + 1;')).toMatchInlineSnapshot(`
      [
        "SLC1012 @38+1 expected AS after '1', found ';'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT CAST(a BIGINT);')).toMatchInlineSnapshot(`
      [
        "SLC1012 @39+0 expected AS after 'a', found 'BIGINT'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT a UID;')).toMatchInlineSnapshot(`
      [
        "SLC1012 @38+0 expected a string after 'UID', found ';'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT CASE a END;')).toMatchInlineSnapshot(`
      [
        "SLC1012 @40+3 expected WHEN after 'a', found 'END'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> DEDUPLICATE BY a KEEP ALL;')).toMatchInlineSnapshot(`
      [
        "SLC1012 @48+3 expected FIRST or LAST after 'KEEP', found 'ALL'",
      ]
    `);
    expect(errors("CREATE SINK out ('connector' = 'print');")).toMatchInlineSnapshot(`
      [
        "SLC1012 @17+11 expected a column definition after '(', found the string 'connector'",
        "SLC1012 @39+1 expected WITH after ')', found ';'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> SELECT (a + 1;')).toMatchInlineSnapshot(`
      [
        "SLC1012 @39+0 expected ')' after '1', found ';'",
      ]
    `);
  });

  it('forms the grammar accepts but the language does not', () => {
    expect(errors("INSERT INTO out FROM x |> SELECT INTERVAL '1' WEEK;")).toMatchInlineSnapshot(`
      [
        "SLC1020 @46+4 unknown interval unit 'WEEK'",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> WINDOW SLIDE(ts, 1);')).toMatchInlineSnapshot(`
      [
        "SLC1021 @33+5 unknown window function 'SLIDE'",
      ]
    `);
    expect(errors("INSERT INTO out FROM x |> WINDOW HOP(ts, INTERVAL '1' SECOND);")).toMatchInlineSnapshot(`
      [
        "SLC1022 @33+3 HOP takes 3 arguments, found 2",
      ]
    `);
    expect(errors('CREATE SOURCE s (a DECIMAL(10.5, 2)) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1023 @27+4 type parameter '10.5' is not a whole number",
      ]
    `);
    expect(errors('INSERT INTO out FROM x |> AGGREGATE COUNT(*) + 1 AS n;')).toMatchInlineSnapshot(`
      [
        "SLC1024 @36+12 AGGREGATE expects an aggregate function call",
      ]
    `);
    expect(errors('CREATE SOURCE s (a INT, WATERMARK FOR a AS a, WATERMARK FOR a AS a) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1025 @46+20 a source has at most one WATERMARK",
      ]
    `);
    expect(errors('CREATE SINK s (a INT, WATERMARK FOR a AS a) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1026 @22+20 WATERMARK is only allowed in CREATE SOURCE",
      ]
    `);
    expect(errors('CREATE SINK s (a INT, PRIMARY KEY (a) NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1030 @52+28 a source or sink has at most one PRIMARY KEY",
      ]
    `);
    expect(errors('CREATE SOURCE s (a INT, PRIMARY KEY (a)) WITH ();')).toMatchInlineSnapshot(`
      [
        "SLC1031 @24+15 PRIMARY KEY must be declared NOT ENFORCED",
      ]
    `);
  });

  it('every diagnostic says what to do', () => {
    const { diagnostics } = parse("INSERT INTO out FROM x WHERE a; SET 'a' 'b'; CREATE TABLE t; INSERT INTO o FROM x |> SELECT INTERVAL '1' WEEK;");
    expect(diagnostics.length).toBeGreaterThan(3);
    for (const diagnostic of diagnostics) expect(diagnostic.help).toMatch(/\w/);
  });
});
