import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import { newToken } from '../../cli/control/job-registry.js';
import { JobDashboard, type DashboardJob } from './job-dashboard.js';
import type { JobConfigView } from './schemas.js';
import { uiAssets } from './ui-assets.js';
import type { DashboardDirectory } from './dashboard-source.js';
import { createWebApp } from './web-app.js';
import { DEFAULT_WEB_UI_ADDRESS, formatWebUiAddress, type WebUiAddress } from './web-ui-address.js';

export interface WebUiOptions {
  /** Default 8081 (Flink's); 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: only this machine can reach the dashboard. */
  readonly host?: string;
  /** The job's `.pipe` file and text, for the configuration tab. */
  readonly source?: { readonly file: string; readonly text: string };
  /**
   * `true` (default): the dashboard reads `job.metrics()` every second. `false`: the caller reads them and hands
   * each reading to `webUi.dashboard.observe` (`job.metrics()` reports back-pressure since its previous call, so
   * one process should have one reader).
   */
  readonly sampleMetrics?: boolean;
}

/** A running dashboard of one job. */
export interface WebUi extends DashboardServer {
  /** The job's figures; `observe` takes metrics readings when `sampleMetrics` is false. */
  readonly dashboard: JobDashboard;
}

const SAMPLE_INTERVAL_MS = 1000;

/** Listens on `address`; rejects with SLC9210 when it cannot (taken, or not an address of this machine). */
async function listen(server: Server, address: WebUiAddress): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is taken' : error.code === 'EADDRNOTAVAIL' ? 'no interface of this machine has that address' : error.message;
      const next = { host: address.host, next: address.port + 1 };
      reject(new DiagnosticError(Diagnostics.WebUiAddressInUse, { address: formatWebUiAddress(address), reason, ...next }));
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** A dashboard server listening: its address, token and page URL. */
export interface DashboardServer {
  /** The page's URL with the token in its fragment (`#token=…`): whoever has it can stop the jobs. */
  readonly url: string;
  readonly address: WebUiAddress;
  /** What requests to the REST API send as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Closes open streams and stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard of the jobs of `jobs` on `address` (default 127.0.0.1:8081), protected by a fresh token.
 * Rejects with SLC9210 when it cannot listen there.
 */
export async function serveDashboards(jobs: DashboardDirectory, address: Partial<WebUiAddress> = {}): Promise<DashboardServer> {
  const token = newToken();
  const app = createWebApp({ jobs, token, assets: uiAssets() });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const wanted = { host: address.host ?? DEFAULT_WEB_UI_ADDRESS.host, port: address.port ?? DEFAULT_WEB_UI_ADDRESS.port };
  const bound = await listen(server, wanted);
  const actual = { host: wanted.host, port: bound.port };
  return {
    url: `http://${formatWebUiAddress(actual)}/#token=${token}`,
    address: actual,
    token,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live streams never end by themselves.
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Serves `job`'s dashboard (docs/web-ui.md): the page, its REST API and live stream, protected by a fresh token.
 * For programs that run jobs with the Node API; `sluice run --web-ui` does the same.
 */
export async function serveWebUi(job: DashboardJob, options: WebUiOptions = {}): Promise<WebUi> {
  const source: JobConfigView['source'] = options.source === undefined ? null : { file: options.source.file, text: options.source.text };
  const dashboard = new JobDashboard(job, source);
  let server: DashboardServer;
  try {
    server = await serveDashboards({ list: async () => [dashboard] }, { ...(options.host === undefined ? {} : { host: options.host }), ...(options.port === undefined ? {} : { port: options.port }) });
  } catch (error) {
    dashboard.dispose();
    throw error;
  }
  let timer: NodeJS.Timeout | undefined;
  if (options.sampleMetrics !== false) {
    timer = setInterval(() => dashboard.observe(job.metrics()), SAMPLE_INTERVAL_MS);
    timer.unref();
    const stopSampling = () => clearInterval(timer);
    job.done.then(stopSampling, stopSampling);
  }
  return {
    url: server.url,
    address: server.address,
    token: server.token,
    dashboard,
    close: async () => {
      clearInterval(timer);
      dashboard.dispose();
      await server.close();
    },
  };
}
