import { describe, expect, it } from 'vitest';
import { PipeParser } from '../../grammar/parser.js';
import { createPipeLexer } from '../../grammar/tokens.js';

// The lexer and parser in use skip chevrotain's definition checks to start faster; they run here instead.
describe("chevrotain's checks of the grammar", () => {
  it('find nothing wrong with the token set', () => {
    expect(createPipeLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
  });

  it('find no ambiguity, left recursion or other error in the grammar', () => {
    // performSelfAnalysis throws 'Parser Definition Errors detected' with the list when validations run.
    expect(() => new PipeParser({ validate: true })).not.toThrow();
  });
});
