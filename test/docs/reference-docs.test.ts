import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS } from '../../docs/reference.js';
import { settingDefinitions } from '../../compiler/config/setting-definitions.js';

describe('generated reference docs', () => {
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    it(`${file} is up to date (run \`npm run docs\`)`, () => {
      expect(readFileSync(file, 'utf8')).toBe(render());
    });
  }

  it('lists every setting key', () => {
    const text = readFileSync('docs/configuration.md', 'utf8');
    for (const s of settingDefinitions) expect(text).toContain(`\`${s.key}\``);
  });
});
