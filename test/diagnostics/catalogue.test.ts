import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { DiagnosticDefinition } from '../../compiler/diagnostics/diagnostic.js';

const root = new URL('../../', import.meta.url);

/** Every entry of every area table, loaded from the files themselves so that a table left out of the merge shows. */
async function areaEntries(): Promise<{ area: string; name: string; definition: DiagnosticDefinition }[]> {
  const dir = new URL('compiler/diagnostics/catalogue/', root);
  const files = (await readdir(fileURLToPath(dir))).filter((f) => f.endsWith('.ts'));
  const entries = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(fileURLToPath(new URL(file, dir))).href)) as Record<string, Record<string, DiagnosticDefinition>>;
    for (const table of Object.values(module)) {
      for (const [name, definition] of Object.entries(table)) entries.push({ area: file, name, definition });
    }
  }
  return entries;
}

/** The codes docs/errors.md has a `## SLCnnnn` section for. */
async function documentedCodes(): Promise<string[]> {
  const docs = await readFile(fileURLToPath(new URL('docs/errors.md', root)), 'utf8');
  return [...docs.matchAll(/^## (SLC\d{4})\b/gm)].map((m) => m[1]!);
}

describe('the diagnostic catalogue', () => {
  it('gives every code to one entry only', async () => {
    const owners = new Map<string, string[]>();
    for (const { area, name, definition } of await areaEntries()) {
      owners.set(definition.code, [...(owners.get(definition.code) ?? []), `${area} ${name}`]);
    }
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
  });

  it('merges every area table, with no entry name taken by two areas', async () => {
    const shadowedOrMissing = (await areaEntries())
      .filter(({ name, definition }) => Diagnostics[name as keyof typeof Diagnostics] !== definition)
      .map(({ area, name }) => `${area}: ${name}`);
    expect(shadowedOrMissing).toEqual([]);
  });

  it('uses well-formed codes and says what to do about every error', () => {
    for (const [name, definition] of Object.entries(Diagnostics) as [string, DiagnosticDefinition][]) {
      expect(definition.code, name).toMatch(/^SLC[1-9]\d{3}$/);
      if (definition.severity === 'error') expect(definition.help, `${name} needs a help text`).toBeTruthy();
    }
  });

  it('has a section in docs/errors.md for each code, and none for codes that do not exist', async () => {
    const codes = (await areaEntries()).map((e) => e.definition.code);
    const documented = await documentedCodes();
    expect(codes.filter((c) => !documented.includes(c)), 'codes without a section').toEqual([]);
    expect(documented.filter((c) => !codes.includes(c)), 'sections without a code').toEqual([]);
    expect(new Set(documented).size, 'a code documented twice').toBe(documented.length);
  });
});
