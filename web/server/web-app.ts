import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { createDiagnostic, type DiagnosticArgs, type DiagnosticDefinition } from '../../compiler/diagnostics/diagnostic.js';
import { tokensMatch } from '../../cli/control/job-registry.js';
import type { DashboardDirectory, DashboardSource } from './dashboard-source.js';
import { dashboardPage, type UiAssets } from './ui-assets.js';
import { SavepointRequestSchema, StopRequestSchema, type ErrorResponse, type JobsOverview } from './schemas.js';

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

  const find = async (id: string) => (await jobs.list()).find((job) => job.jobId === id);
  const noJob = (c: Context, id: string) => fail(c, 404, Diagnostics.WebUiNotFound, { what: 'job', name: id });
  /** Answers with `read(job)` for the job of the path; 404 for another job, 502 when the job cannot answer (its process is gone). */
  const withJob = (read: (job: DashboardSource, c: Context) => Promise<Response>) => async (c: Context) => {
    const id = c.req.param('id')!;
    const job = await find(id);
    if (job === undefined) return noJob(c, id);
    return read(job, c);
  };
  const view = (read: (job: DashboardSource) => unknown) =>
    withJob(async (job, c) => {
      try {
        return c.json(await read(job));
      } catch (error) {
        return fail(c, 502, Diagnostics.WebUiActionFailed, { job: job.jobId, action: 'answer', reason: reasonOf(error) });
      }
    });

  app.get('/jobs', async (c) => {
    // A job that ends while it is listed is left out.
    const summaries = await Promise.allSettled((await jobs.list()).map(async (job) => job.summary()));
    const body: JobsOverview = { jobs: summaries.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])) };
    return c.json(body);
  });
  app.get('/jobs/:id', view((job) => job.detail()));
  app.get(
    '/jobs/:id/vertices/:uid',
    withJob(async (job, c) => {
      const uid = c.req.param('uid')!;
      try {
        const vertex = await job.vertex(uid);
        return vertex === undefined ? fail(c, 404, Diagnostics.WebUiNotFound, { what: 'vertex', name: uid }) : c.json(vertex);
      } catch (error) {
        return fail(c, 502, Diagnostics.WebUiActionFailed, { job: job.jobId, action: 'answer', reason: reasonOf(error) });
      }
    }),
  );
  app.get('/jobs/:id/checkpoints', view((job) => job.checkpoints()));
  app.get('/jobs/:id/exceptions', view((job) => job.exceptions()));
  app.get('/jobs/:id/config', view((job) => job.config()));

  app.post(
    '/jobs/:id/savepoints',
    withJob(async (job, c) => {
      const body = await readBody(c, SavepointRequestSchema);
      if ('error' in body) return fail(c, 400, Diagnostics.WebUiBadRequest, { reason: body.error });
      try {
        return c.json({ path: await job.takeSavepoint(body.value.targetDirectory) });
      } catch (error) {
        return fail(c, 409, Diagnostics.WebUiActionFailed, { job: job.jobId, action: 'take a savepoint', reason: reasonOf(error) });
      }
    }),
  );
  app.post(
    '/jobs/:id/stop',
    withJob(async (job, c) => {
      const body = await readBody(c, StopRequestSchema);
      if ('error' in body) return fail(c, 400, Diagnostics.WebUiBadRequest, { reason: body.error });
      const { savepoint, drain, targetDirectory } = body.value;
      try {
        return c.json(await job.stopJob({ savepoint, drain, ...(targetDirectory === undefined ? {} : { targetDir: targetDirectory }) }));
      } catch (error) {
        return fail(c, 409, Diagnostics.WebUiActionFailed, { job: job.jobId, action: 'stop', reason: reasonOf(error) });
      }
    }),
  );

  // The live stream: an `update` event with the job's detail (GET /jobs/{id}) whenever it changes, at most once
  // per streamIntervalMs. The page reads it with fetch (EventSource cannot send the token header).
  app.get(
    '/jobs/:id/stream',
    withJob(async (job, c) => {
      const intervalMs = options.streamIntervalMs ?? 250;
      return streamSSE(c, async (stream) => {
        let wake: (() => void) | undefined;
        let pending = true;
        const unsubscribe = job.subscribe(() => {
          pending = true;
          wake?.();
        });
        const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
        try {
          while (!stream.aborted) {
            if (pending) {
              pending = false;
              // A job that can no longer answer (its process ended) ends the stream; the page says so and retries.
              const detail = await Promise.resolve(job.detail()).catch(() => undefined);
              if (detail === undefined) break;
              await stream.writeSSE({ event: 'update', data: JSON.stringify(detail) });
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
    }),
  );
  return app;
}
