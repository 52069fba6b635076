import type { Socket } from 'node:net';
import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { DASHBOARD_VIEWS } from '../../web/server/dashboard-source.js';

/**
 * The job control protocol: newline-delimited JSON over a job's local socket. A client sends a request line and
 * reads one response line per request; both sides validate what they read with these schemas. Paths are
 * absolute: the client resolves them against its own directory, which the job's process does not share.
 */
export const CONTROL_PROTOCOL_VERSION = 1;

/** A longer line is not a request: the server drops the connection rather than buffer it. */
export const MAX_LINE_LENGTH = 64 * 1024;
/** Answers may be longer: a dashboard view holds minutes of throughput and dozens of checkpoints. */
export const MAX_RESPONSE_LENGTH = 16 * 1024 * 1024;

const AbsolutePath = z.string().refine(isAbsolute, 'must be an absolute path');

export const ControlCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status') }),
  /** A savepoint as a new directory inside `targetDir`; the job keeps running. */
  z.object({ type: z.literal('savepoint'), targetDir: AbsolutePath }),
  /** Sources stop, a savepoint is taken into `savepointDir` when given, sinks commit, the job ends. */
  z.object({ type: z.literal('stop'), savepointDir: AbsolutePath.optional(), drain: z.boolean() }),
  /** A view of the job's dashboard (web/server/dashboard-source.ts), for `sluice ui`. */
  z.object({ type: z.literal('dashboard'), view: z.enum(DASHBOARD_VIEWS), uid: z.string().optional() }),
]);
export type ControlCommand = z.infer<typeof ControlCommandSchema>;

export const ControlRequestSchema = z.object({
  version: z.literal(CONTROL_PROTOCOL_VERSION),
  /** The token of the job's registry file. */
  token: z.string(),
  command: ControlCommandSchema,
});
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

export const ControlResultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), jobId: z.string(), pipelineName: z.string(), pid: z.number().int(), stopping: z.boolean() }),
  z.object({ type: z.literal('savepoint'), path: z.string() }),
  z.object({ type: z.literal('stopped'), savepointPath: z.string().optional() }),
  /** The view's JSON as the REST API answers it (its schema in web/server/schemas.ts); absent for an unknown vertex. */
  z.object({ type: z.literal('dashboard'), body: z.unknown().optional() }),
]);
export type ControlResult = z.infer<typeof ControlResultSchema>;

export const ControlErrorSchema = z.object({
  /**
   * `unauthorized`: the token is wrong; `bad-request`: not a request of this protocol version; `busy`: the job is
   * stopping already; `failed`: the job could not do it (the message says why).
   */
  kind: z.enum(['unauthorized', 'bad-request', 'busy', 'failed']),
  message: z.string(),
});
export type ControlError = z.infer<typeof ControlErrorSchema>;

export const ControlResponseSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: ControlResultSchema }),
  z.object({ ok: z.literal(false), error: ControlErrorSchema }),
]);
export type ControlResponse = z.infer<typeof ControlResponseSchema>;

/** One message as a line of the protocol. */
export function encodeMessage(message: ControlRequest | ControlResponse): string {
  return `${JSON.stringify(message)}\n`;
}

export type Decoded<T> = { readonly value: T } | { readonly error: string };

/** Parses one line against `schema`; what is wrong, in words, otherwise. Never throws. */
export function decodeMessage<T>(line: string, schema: z.ZodType<T>): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: 'not a JSON line' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  return { error: `invalid message${at}: ${issue?.message ?? 'does not match the protocol'}` };
}

/**
 * Calls `onLine` with each complete line `socket` receives. A line longer than `maxLength` destroys the socket:
 * the peer does not speak this protocol.
 */
export function readLines(socket: Socket, onLine: (line: string) => void, maxLength = MAX_LINE_LENGTH): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') onLine(line);
      newline = pending.indexOf('\n');
    }
    if (pending.length > maxLength) socket.destroy(new Error(`a message longer than ${maxLength} characters`));
  });
}
