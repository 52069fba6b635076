import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE_EXTERNALS, workerBundleOptions } from '../../runtime/workers/source-bundle.js';

/**
 * What a worker thread loads before its job runs: the files and packages its bundle's entry imports statically
 * (chunks loaded by `import()` come later, when a job needs them). Start-up CPU grows with it (bench/README.md,
 * `--scaling`), so these pin what 5b0a768, 6727d40, e7255f8 and the lazy metadata format took out.
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

  it("builds no checkpoint metadata schema or job graph schema at start (the main thread reads and writes _metadata)", async () => {
    const { inputs } = await loadedAtStart();
    // Fails when a module a worker loads imports metadata-format.ts, a metadata version or job-graph.ts for a value.
    expect([...inputs].filter((input) => /^runtime\/checkpoint\/metadata\/metadata-(format|v\d+)\.ts$/.test(input) || input === 'compiler/graph/job-graph.ts')).toEqual([]);
  });
});

describe('the packages the bundles leave external', () => {
  it('are every dependency but zod and chevrotain, the two bundled for start-up', async () => {
    const { dependencies } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const bundled = ['chevrotain', 'zod'];
    expect([...BUNDLE_EXTERNALS].filter((name) => name !== 'esbuild').sort()).toEqual(Object.keys(dependencies).filter((name) => !bundled.includes(name)).sort());
    expect(workerBundleOptions({}).external).toEqual([...BUNDLE_EXTERNALS]);
  });

  it("load with their named exports when a bundled connector runtime imports them (NATS's connect, pg's Client)", async () => {
    // A chunk written where node_modules resolves, as workerSourceBundle writes the worker's bundle.
    const dir = await mkdtemp(path.join(ROOT, 'node_modules', '.cache', 'bundle-test-'));
    try {
      await build({
        ...workerBundleOptions({}),
        stdin: {
          contents: [
            "export const nats = await import('@nats-io/transport-node');",
            "export const jetstream = await import('@nats-io/jetstream');",
            "export const pg = await import('pg');",
          ].join('\n'),
          resolveDir: ROOT,
          sourcefile: 'drivers.ts',
          loader: 'ts',
        },
        outdir: dir,
        logLevel: 'silent',
      });
      const [entry] = (await readdir(dir)).filter((name) => name.endsWith('.js'));
      const drivers = (await import(pathToFileURL(path.join(dir, entry!)).href)) as {
        nats: { connect?: unknown };
        jetstream: { jetstreamManager?: unknown };
        pg: { default: { Client?: unknown } };
      };
      expect(typeof drivers.nats.connect).toBe('function');
      expect(typeof drivers.jetstream.jetstreamManager).toBe('function');
      expect(typeof drivers.pg.default.Client).toBe('function');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
