import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../compiler/exporters/json.js';
import { validateJobGraph } from '../../compiler/graph/validate-graph.js';
import { sinkDefinitions, sourceDefinitions } from '../../connectors/definitions.js';
import { ConnectorRuntimes } from '../../connectors/runtime-registry.js';
import { REDACTED, redactUrlPasswords } from '../../connectors/secrets.js';
import { ConnectorOptions } from '../../runtime/connectors/options.js';
import { sampleGraph } from '../graph/sample-graph.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every module reachable through static (non-type) imports from `entry`, as paths relative to the repository, plus bare package names. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [path.join(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const relative = path.relative(ROOT, file);
    if (seen.has(relative)) continue;
    seen.add(relative);
    const text = readFileSync(file, 'utf8');
    // `import type …` is erased; dynamic `import(…)` is what the lazy registry uses and is not followed.
    for (const [, specifier] of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else seen.add(`package:${specifier}`);
    }
  }
  return seen;
}

describe('connector folders', () => {
  it('the compiler reaches connector definitions only: no runtime code, no connector runtime, no client driver', () => {
    const reached = [...staticImports('compiler/compile.ts')];
    expect(reached.some((p) => p === 'connectors/definitions.ts')).toBe(true);
    // (The compiler already folds constant expressions with runtime/expressions/: that is outside this check.)
    expect(reached.filter((p) => p.startsWith('runtime/') && !p.startsWith('runtime/expressions/'))).toEqual([]);
    // Definitions, and the pure tables and parsers they check options with (postgres' url.ts and column-types.ts).
    const connectorFiles = reached.filter((p) => /^connectors\/[^/]+\//.test(p));
    expect(connectorFiles.filter((p) => !/\/(definition|tables|url|column-types)\.ts$/.test(p))).toEqual([]);
    expect(reached.filter((p) => p.startsWith('package:') && !['package:zod', 'package:chevrotain', 'package:node:crypto', 'package:node:path'].includes(p))).toEqual([]);
  });

  it('every defined connector has a runtime with the factories its roles need, and the registry knows no other', async () => {
    const names = [...new Set([...sourceDefinitions, ...sinkDefinitions].map((d) => d.name))];
    const runtimes = await ConnectorRuntimes.load(names);
    for (const d of sourceDefinitions) expect(runtimes.runtime(d.name).createSource, d.name).toBeTypeOf('function');
    for (const d of sinkDefinitions) expect(runtimes.runtime(d.name).createSinkWriter, d.name).toBeTypeOf('function');
    await expect(ConnectorRuntimes.load(['kafka'])).rejects.toThrow("unknown connector 'kafka'");
  });

  it("a job graph's connector must be a defined connector of that role", () => {
    const graph = sampleGraph() as unknown as { operators: { spec: { kind: string; connector?: string } }[] };
    const source = graph.operators.find((op) => op.spec.kind === 'source')!;
    source.spec.connector = 'print';
    const result = validateJobGraph(graph, 'bad.json');
    expect(result.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('not a source connector')]);
  });
});

describe('credentials', () => {
  it('hides the password of every URL and nothing else', () => {
    expect(redactUrlPasswords('postgres://app:s3cr3t@db:5432/test')).toBe(`postgres://app:${REDACTED}@db:5432/test`);
    expect(redactUrlPasswords('nats://a:x@h1:4222,nats://b:y@h2:4222')).toBe(`nats://a:${REDACTED}@h1:4222,nats://b:${REDACTED}@h2:4222`);
    expect(redactUrlPasswords('postgres://127.0.0.1:5432/test')).toBe('postgres://127.0.0.1:5432/test');
    expect(redactUrlPasswords('nats://token@h:4222')).toBe('nats://token@h:4222');
  });

  it('keeps URL passwords out of runtime option errors and printed job graphs', () => {
    const options = new ConnectorOptions('file', { path: 'x', 'sink.semantic': 'postgres://app:s3cr3t@db/test' });
    expect(() => options.oneOf('sink.semantic', ['exactly-once'])).toThrow(`not 'postgres://app:${REDACTED}@db/test'`);
    const graph = sampleGraph();
    const source = graph.operators.find((op) => op.spec.kind === 'source')!;
    (source.spec as { options: Record<string, string> }).options['path'] = 'https://me:s3cr3t@example.com/data';
    expect(toJson(graph)).not.toContain('s3cr3t');
  });
});
