import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { blamed } from '../diagnostics/blamed.js';

const WM = "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND";

/** A program reading sources `a` and `b` (datagen) with the given extra options and watermark clauses. */
function program(a: string, b: string, { aWatermark = true, bWatermark = true } = {}): string {
  const source = (name: string, options: string, watermark: boolean) =>
    `CREATE SOURCE ${name} (ts TIMESTAMP(3)${watermark ? `, ${WM}` : ''}) WITH ('connector' = 'datagen'${options}) UID '${name}';\n`;
  return (
    source('a', a, aWatermark) +
    source('b', b, bWatermark) +
    "CREATE SINK k WITH ('connector' = 'blackhole') UID 'k';\nINSERT INTO k FROM a |> UNION ALL b;\n"
  );
}

function check(text: string, settings: Record<string, string> = {}) {
  const { value, diagnostics } = compile(text, { file: 'job.pipe', settings });
  return { graph: value, blamed: blamed(diagnostics, text) };
}

const GROUP = ", 'scan.watermark.alignment.group' = 'g'";
const DRIFT = ", 'scan.watermark.alignment.max-drift' = '2 s'";

describe('watermark alignment options', () => {
  it('are taken by every source connector and normalised into the graph; the update interval is not filled in', () => {
    const { graph, blamed } = check(program(GROUP + DRIFT, GROUP + DRIFT + ", 'scan.watermark.alignment.update-interval' = '250 ms'"));
    expect(blamed).toEqual([]);
    const options = (uid: string) => {
      const spec = graph!.operators.find((o) => o.uid === uid)!.spec;
      return spec.kind === 'source' ? spec.options : undefined;
    };
    expect(options('a')).toMatchObject({ 'scan.watermark.alignment.group': 'g', 'scan.watermark.alignment.max-drift': '2000' });
    expect(options('a')).not.toHaveProperty('scan.watermark.alignment.update-interval');
    expect(options('b')).toMatchObject({ 'scan.watermark.alignment.update-interval': '250' });
  });

  it('need a max drift with a group (SLC1080), and a group with a drift or interval (SLC1081)', () => {
    // (`a` alone in its group is also warned about: SLC1083, below.)
    const { blamed } = check(program(GROUP, ", 'scan.watermark.alignment.update-interval' = '1 s'"));
    expect(blamed.filter((b) => b.code !== 'SLC1083')).toEqual([
      {
        code: 'SLC1080',
        at: "'scan.watermark.alignment.group' = 'g'",
        message: "source 'a' is in watermark alignment group 'g' but has no 'scan.watermark.alignment.max-drift'",
        help: "add 'scan.watermark.alignment.max-drift' = '…' (e.g. '1 s'): how far its watermark may run ahead of the group's slowest source before it pauses",
      },
      {
        code: 'SLC1081',
        at: "'scan.watermark.alignment.update-interval'",
        message: "'scan.watermark.alignment.update-interval' of source 'b' has no effect without 'scan.watermark.alignment.group'",
        help: "add 'scan.watermark.alignment.group' = '…', the same name on every source to align, or remove 'scan.watermark.alignment.update-interval'",
      },
    ]);
  });

  it('need a watermark on the source (SLC1082)', () => {
    expect(check(program(GROUP + DRIFT, GROUP + DRIFT, { bWatermark: false })).blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC1082', "'scan.watermark.alignment.group' = 'g'", "source 'b' has no watermark, so it cannot be in watermark alignment group 'g'"],
    ]);
  });

  it('refuse a bad duration like any option value (SLC4014)', () => {
    const bad = check(program(GROUP + ", 'scan.watermark.alignment.max-drift' = 'soon'", GROUP + ", 'scan.watermark.alignment.max-drift' = '0 ms'"));
    expect(bad.blamed.map((b) => [b.code, b.at])).toEqual([
      ['SLC4014', "'soon'"],
      ['SLC4014', "'0 ms'"],
    ]);
  });

  it('warn about a group of a single source subtask (SLC1083), not about one source at a higher parallelism', () => {
    const lonely = check(program(GROUP + DRIFT, ", 'scan.watermark.alignment.group' = 'gg'" + DRIFT));
    expect(lonely.graph).toBeDefined();
    expect(lonely.blamed.map((b) => [b.code, b.at, b.message])).toEqual([
      ['SLC1083', "'g'", "watermark alignment group 'g' has only source 'a', at parallelism 1: there is nothing to align it with"],
      ['SLC1083', "'gg'", "watermark alignment group 'gg' has only source 'b', at parallelism 1: there is nothing to align it with"],
    ]);
    expect(check(program(GROUP + DRIFT, ''), { 'parallelism.default': '2' }).blamed).toEqual([]);
  });
});
