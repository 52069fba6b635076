import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { serveDashboards } from '../../web/server/serve-web-ui.js';
import { isLoopback, parseWebUiAddress } from '../../web/server/web-ui-address.js';
import { registryDirectory } from '../control/remote-dashboard.js';
import { checkRuntimeDirectory, runtimeDirectory } from '../control/runtime-dir.js';
import type { CommandOutcome } from '../exit-codes.js';
import type { CliIO } from '../output.js';
import { watchStopSignals, type SignalSource } from '../signals.js';
import { printUsageErrors, usageError } from '../usage-errors.js';

export interface UiFlags {
  readonly port: string;
  readonly host: string;
}

/**
 * `sluice ui`: one dashboard for every job this user runs on this machine (the job registry of the control
 * plane), each job's figures asked of it through its control socket. Serves until SIGINT or SIGTERM.
 */
export async function runUi(flags: UiFlags, io: CliIO, signals: SignalSource = process): Promise<CommandOutcome> {
  const value = `${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${flags.port}`;
  const address = parseWebUiAddress(value);
  if (address === undefined) return printUsageErrors([usageError(Diagnostics.WebUiBadAddress, { value })], io);
  const dir = runtimeDirectory(io.env);
  const state = await checkRuntimeDirectory(dir, true);
  if (state.state !== 'ready') {
    const reason = state.state === 'unsafe' ? state.reason : 'it is missing';
    return printUsageErrors([usageError(Diagnostics.UnsafeRuntimeDirectory, { path: dir, reason })], io);
  }
  let server;
  try {
    server = await serveDashboards(registryDirectory(dir), address);
  } catch (error) {
    if (error instanceof DiagnosticError) return printUsageErrors([error.diagnostic], io);
    throw error;
  }
  const reach = isLoopback(address.host) ? 'only this machine can reach it' : `listening on ${address.host}: other machines can reach it, and anyone with the URL can stop your jobs`;
  io.stderr.write(`web dashboard of your running jobs: ${server.url} (${reach}); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    const unwatch = watchStopSignals(signals, {
      stop: () => {
        unwatch();
        resolve();
      },
      force: () => undefined,
    });
  });
  await server.close();
  return { kind: 'completed', diagnostics: [] };
}
