import { describe, expect, it } from 'vitest';
import { settingDefinitions } from '../../compiler/config/setting-definitions.js';

describe('the settings table', () => {
  it('has each key and alias once', () => {
    const spellings = settingDefinitions.flatMap((d) => [d.key, ...d.aliases]);
    expect(new Set(spellings).size).toBe(spellings.length);
  });

  it('documents defaults in a spelling its own parser reads back', () => {
    for (const definition of settingDefinitions) {
      if (definition.default === undefined) continue;
      expect(definition.type.parse(definition.defaultText), definition.key).toEqual(definition.default);
    }
  });

  it('describes every key', () => {
    for (const definition of settingDefinitions) expect(definition.description, definition.key).toMatch(/\.$/);
  });
});
