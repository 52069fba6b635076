import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { createDiagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../../compiler/diagnostics/diagnostic.js';
import { tokensMatch } from '../../cli/control/job-registry.js';
import type { JobDashboard } from './job-dashboard.js';
import { dashboardPage, type UiAssets } from './ui-assets.js';
import { SavepointRequestSchema, StopRequestSchema, type ErrorResponse, type JobsOverview } from './schemas.js';

/** The jobs a dashboard server shows: one (`sluice run --web-ui`, `serveWebUi`) or several. */
export interface DashboardDirectory {
  list(): readonly JobDashboard[];
}

export interface WebAppOptions {
  readonly jobs: DashboardDirectory;
  /** Requests to /jobs… without exactly this token (`Authorization: Bearer <token>`) are refused. */
  readonly token: string;
  readonly assets: UiAssets;
  /** How often the live stream may send (ms): changes in between are sent together. */
  readonly streamIntervalMs?: number;
}

/** A stream with nothing to send still sends a comment this often, so that proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

function errorBody(definition: DiagnosticDefinition, args: DiagnosticArgs): ErrorResponse {
  const { code, message } = createDiagnostic(definition, '<request>', { offset: 0, length: 0 }, args);
  return { error: { code, message } };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The request's JSON body checked against `schema`; an empty body is `{}`. */
async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<{ value: T } | { error: string }> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      return { error: 'not JSON' };
    }
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
}

/**
 * The dashboard's HTTP application: the page and its script (no token: they hold no data), and the REST API
 * under /jobs (docs/web-ui.md), which demands the dashboard's token like the control plane demands its own.
 */
export function createWebApp(options: WebAppOptions): Hono {
  const { jobs, token, assets } = options;
  const app = new Hono();
  const fail = (c: Context, status: ContentfulStatusCode, definition: DiagnosticDefinition, args: DiagnosticArgs = {}) => c.json(errorBody(definition, args), status);

  app.get('/', (c) => c.html(dashboardPage()));
  app.get('/assets/:name', async (c) => {
    const asset = await assets.get(c.req.param('name')).catch((error: unknown) => ({ error: reasonOf(error) }));
    if (asset === undefined) return c.notFound();
    if ('error' in asset) return fail(c, 500, Diagnostics.WebUiAssetsUnavailable, { reason: asset.error });
    return c.body(asset.content, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' });
  });

  const requireToken = async (c: Context, next: () => Promise<void>) => {
    const header = c.req.header('authorization');
    if (header === undefined || !header.startsWith('Bearer ')) return fail(c, 401, Diagnostics.WebUiTokenMissing);
    if (!tokensMatch(header.slice('Bearer '.length).trim(), token)) return fail(c, 403, Diagnostics.WebUiTokenWrong);
    return next();
  };
  app.use('/jobs', requireToken);
  app.use('/jobs/*', requireToken);

  const find = (id: string) => jobs.list().find((job) => job.job.jobId === id);
  const noJob = (c: Context, id: string) => fail(c, 404, Diagnostics.WebUiNotFound, { what: 'job', name: id });

  app.get('/jobs', (c) => {
    const body: JobsOverview = { jobs: jobs.list().map((d) => ({ id: d.job.jobId, name: d.job.graph.name, status: d.jobStatus(), startTime: d.startTime })) };
    return c.json(body);
  });
  app.get('/jobs/:id', (c) => {
    const dashboard = find(c.req.param('id'));
    return dashboard === undefined ? noJob(c, c.req.param('id')) : c.json(dashboard.detail());
  });
  app.get('/jobs/:id/vertices/:uid', (c) => {
    const dashboard = find(c.req.param('id'));
    if (dashboard === undefined) return noJob(c, c.req.param('id'));
    const vertex = dashboard.vertex(c.req.param('uid'));
    return vertex === undefined ? fail(c, 404, Diagnostics.WebUiNotFound, { what: 'vertex', name: c.req.param('uid') }) : c.json(vertex);
  });
  app.get('/jobs/:id/checkpoints', (c) => {
    const dashboard = find(c.req.param('id'));
    return dashboard === undefined ? noJob(c, c.req.param('id')) : c.json(dashboard.checkpointView());
  });
  app.get('/jobs/:id/exceptions', (c) => {
    const dashboard = find(c.req.param('id'));
    return dashboard === undefined ? noJob(c, c.req.param('id')) : c.json(dashboard.exceptionView());
  });
  app.get('/jobs/:id/config', (c) => {
    const dashboard = find(c.req.param('id'));
    return dashboard === undefined ? noJob(c, c.req.param('id')) : c.json(dashboard.configView());
  });

  app.post('/jobs/:id/savepoints', async (c) => {
    const id = c.req.param('id');
    const dashboard = find(id);
    if (dashboard === undefined) return noJob(c, id);
    const body = await readBody(c, SavepointRequestSchema);
    if ('error' in body) return fail(c, 400, Diagnostics.WebUiBadRequest, { reason: body.error });
    try {
      return c.json({ path: await dashboard.takeSavepoint(body.value.targetDirectory) });
    } catch (error) {
      return fail(c, 409, Diagnostics.WebUiActionFailed, { job: id, action: 'take a savepoint', reason: reasonOf(error) });
    }
  });
  app.post('/jobs/:id/stop', async (c) => {
    const id = c.req.param('id');
    const dashboard = find(id);
    if (dashboard === undefined) return noJob(c, id);
    const body = await readBody(c, StopRequestSchema);
    if ('error' in body) return fail(c, 400, Diagnostics.WebUiBadRequest, { reason: body.error });
    const { savepoint, drain, targetDirectory } = body.value;
    try {
      const savepointPath = await dashboard.stopJob({ savepoint, drain, ...(targetDirectory === undefined ? {} : { targetDir: targetDirectory }) });
      return c.json({ status: dashboard.jobStatus(), savepointPath });
    } catch (error) {
      return fail(c, 409, Diagnostics.WebUiActionFailed, { job: id, action: 'stop', reason: reasonOf(error) });
    }
  });

  // The live stream: an `update` event with the job's detail (GET /jobs/{id}) whenever it changes, at most once
  // per streamIntervalMs. The page reads it with fetch (EventSource cannot send the token header).
  app.get('/jobs/:id/stream', (c) => {
    const dashboard = find(c.req.param('id'));
    if (dashboard === undefined) return noJob(c, c.req.param('id'));
    const intervalMs = options.streamIntervalMs ?? 250;
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      let pending = true;
      const unsubscribe = dashboard.subscribe(() => {
        pending = true;
        wake?.();
      });
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      try {
        while (!stream.aborted) {
          if (pending) {
            pending = false;
            await stream.writeSSE({ event: 'update', data: JSON.stringify(dashboard.detail()) });
            await stream.sleep(intervalMs);
            continue;
          }
          const woken = new Promise<void>((resolve) => (wake = resolve));
          let timer: NodeJS.Timeout | undefined;
          const keepalive = new Promise<'keepalive'>((resolve) => (timer = setTimeout(() => resolve('keepalive'), KEEPALIVE_MS)));
          const why = await Promise.race([woken, keepalive, closed]);
          clearTimeout(timer);
          wake = undefined;
          if (why === 'keepalive') await stream.write(': keepalive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });
  return app;
}
