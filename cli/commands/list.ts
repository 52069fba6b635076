import { runningJobs } from '../control/locate-job.js';
import type { RunningJob } from '../control/job-registry.js';
import type { CommandOutcome } from '../exit-codes.js';
import { formatDuration } from '../format-numbers.js';
import type { CliIO } from '../output.js';

const COLUMNS = ['ID', 'NAME', 'PID', 'UPTIME', 'SOCKET'] as const;

/** The running jobs as an aligned table, header first. */
export function formatJobTable(jobs: readonly RunningJob[], now: number): string {
  const rows = [
    [...COLUMNS],
    ...jobs.map(({ entry }) => [entry.jobId, entry.pipelineName, String(entry.pid), formatDuration(Math.max(0, now - entry.startedAt)), entry.socket]),
  ];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}

/** `sluice list`: the jobs of this user running now; registrations left by processes that died are removed. */
export async function runList(io: CliIO, now: () => number = Date.now): Promise<CommandOutcome> {
  const found = await runningJobs(io);
  if ('outcome' in found) return found.outcome;
  if (found.jobs.length === 0) io.stderr.write('no Sluice jobs are running\n');
  else io.stdout.write(formatJobTable(found.jobs, now()));
  return { kind: 'completed', diagnostics: [] };
}
