import { writeFileSync } from 'node:fs';
import { GENERATED_DOCS } from '../docs/reference.js';

for (const [file, render] of Object.entries(GENERATED_DOCS)) {
  writeFileSync(file, render());
  console.log(`wrote ${file}`);
}
