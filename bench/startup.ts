/**
 * Start-up time of the built command line (bin/sluice.js → dist/bin/, rebuilt here from source first): `sluice
 * --help` and `sluice compile examples/quickstart.pipe` next to `node -e 0`, run in turn so that a change in the
 * machine's load hits all three alike; medians of the children's CPU time (user + system, from /proc on Linux,
 * in 10 ms ticks: on a busy machine wall time mostly measures the other processes) and of wall time. Targets (issue 9): --help ≤ 150 ms and compile ≤ 300 ms
 * above `node -e 0`. `tsx bench/startup.ts [rounds]`. Not a test: numbers vary by machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 15);

const COMMANDS = {
  'node -e 0': ['-e', '0'],
  'sluice --help': ['bin/sluice.js', '--help'],
  'sluice compile examples/quickstart.pipe': ['bin/sluice.js', 'compile', 'examples/quickstart.pipe'],
} as const satisfies Record<string, readonly string[]>;
type Name = keyof typeof COMMANDS;
const TARGET_ABOVE_NODE_MS: Partial<Record<Name, number>> = { 'sluice --help': 150, 'sluice compile examples/quickstart.pipe': 300 };

execFileSync(process.execPath, [...process.execArgv, 'scripts/bundle-cli.ts'], { cwd: root, stdio: 'inherit' });

/** CPU time of this process's reaped children in ms (cutime + cstime, fields 16 and 17; ticks of 10 ms), if known. */
function childrenCpuMs(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number | undefined;
}

function timeOnce(args: readonly string[]): Timing {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  const cpuAfter = childrenCpuMs();
  return { wallMs, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const names = Object.keys(COMMANDS) as Name[];
const timings = new Map<Name, Timing[]>(names.map((name) => [name, []]));
timeOnce(COMMANDS['sluice --help']); // warm-up: file system cache
for (let round = 0; round < rounds; round++) {
  for (const name of names) timings.get(name)!.push(timeOnce(COMMANDS[name]));
}

const medianOf = (name: Name, measure: keyof Timing): number | undefined => {
  const values = timings.get(name)!.map((timing) => timing[measure]);
  return values.some((value) => value === undefined) ? undefined : median(values as number[]);
};

console.log(`start-up, medians of ${rounds} interleaved runs; the targets are CPU time above node -e 0`);
for (const measure of ['cpuMs', 'wallMs'] as const) {
  const baseline = medianOf('node -e 0', measure);
  if (baseline === undefined) {
    console.log('  CPU time: not measured (no /proc/self/stat on this system)');
    continue;
  }
  console.log(measure === 'cpuMs' ? '  CPU time (user + system)' : '  wall time');
  for (const name of names) {
    const ms = medianOf(name, measure)!;
    const target = TARGET_ABOVE_NODE_MS[name];
    const above = name === 'node -e 0' ? '' : `  ${(ms - baseline).toFixed(0).padStart(5)} ms above node -e 0${target === undefined ? '' : ` (target ≤ ${target})`}`;
    console.log(`    ${name.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms${above}`);
  }
}
