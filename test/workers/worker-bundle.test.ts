import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { workerBundleOptions } from '../../runtime/workers/source-bundle.js';

/**
 * What a worker thread loads before its job runs: the files and packages its bundle's entry imports statically
 * (chunks loaded by `import()` come later, when a job needs them). Start-up CPU grows with it (bench/README.md,
 * `--scaling`), so these pin what 5b0a768, 6727d40 and e7255f8 took out.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function loadedAtStart(): Promise<{ readonly inputs: ReadonlySet<string>; readonly packages: ReadonlySet<string> }> {
  const result = await build({
    ...workerBundleOptions({ 'sluice-worker': 'runtime/workers/worker-entry.ts' }),
    absWorkingDir: ROOT,
    outdir: 'dist/worker',
    write: false,
    metafile: true,
  });
  const outputs: Metafile['outputs'] = result.metafile.outputs;
  const entry = Object.keys(outputs).find((file) => file.endsWith('sluice-worker.js'))!;
  const inputs = new Set<string>();
  const packages = new Set<string>();
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const input of Object.keys(outputs[file]!.inputs)) inputs.add(input);
    for (const imported of outputs[file]!.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path);
      else if (!seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
    }
  }
  return { inputs, packages };
}

describe("a worker thread's bundle", () => {
  it('loads no zod locale but English, no native or CommonJS package, and no connector runtime at start', async () => {
    const { inputs, packages } = await loadedAtStart();
    // The runtime itself is there (the test would pass on an empty bundle otherwise).
    expect(inputs).toContain('runtime/execution/build-tasks.ts');
    expect(inputs).toContain('node_modules/zod/v4/core/core.js');
    // `import { z } from 'zod'` anywhere in the worker's modules brings every locale back: import it as a namespace.
    expect([...inputs].filter((input) => input.includes('zod/v4/locales/') && !input.endsWith('/en.js'))).toEqual([]);
    // lmdb loads when a disk store opens (runtime/state/disk-backend.ts); pg and NATS with their connectors.
    expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual([]);
    expect([...inputs].filter((input) => input.includes('@nats-io/') || /^connectors\/[^/]+\/runtime\.ts$/.test(input))).toEqual([]);
  });
});
