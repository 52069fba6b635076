import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { cstDtsText } from '../../grammar/generate-cst-dts.js';

it('grammar/cst.d.ts matches the grammar (regenerate with `npx tsx grammar/generate-cst-dts.ts`)', () => {
  expect(readFileSync(new URL('../../grammar/cst.d.ts', import.meta.url), 'utf8')).toBe(cstDtsText());
});
