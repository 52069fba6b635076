import { connect } from 'node:net';
import type { RegistryEntry } from './job-registry.js';
import {
  CONTROL_PROTOCOL_VERSION,
  ControlResponseSchema,
  decodeMessage,
  encodeMessage,
  MAX_RESPONSE_LENGTH,
  readLines,
  type ControlCommand,
  type ControlError,
  type ControlResult,
} from './protocol.js';

/** The type of result that answers each type of command. */
const RESULT_OF = { status: 'status', savepoint: 'savepoint', stop: 'stopped', dashboard: 'dashboard' } as const satisfies Record<ControlCommand['type'], ControlResult['type']>;
type ResultOf<C extends ControlCommand> = Extract<ControlResult, { type: (typeof RESULT_OF)[C['type']] }>;

/** The job's answer, or why none came (the socket could not be reached, or the job ended before answering). */
export type ControlReply<R extends ControlResult = ControlResult> =
  | { readonly ok: true; readonly result: R }
  | { readonly ok: false; readonly error: ControlError }
  | { readonly ok: false; readonly unreachable: string };

const CONNECT_TIMEOUT_MS = 5000;

const CONNECTION_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its control socket is gone',
  ECONNREFUSED: 'nothing listens on its control socket',
  EACCES: 'permission denied on its control socket',
};

/**
 * Sends `command` to the job of `entry` with the token of its registry file and waits for the answer, however
 * long the job takes (a savepoint of large state, a drain). Never rejects.
 */
export function sendControlCommand<C extends ControlCommand>(entry: Pick<RegistryEntry, 'socket' | 'token'>, command: C): Promise<ControlReply<ResultOf<C>>> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (reply: ControlReply<ResultOf<C>>) => {
      if (settled) return;
      settled = true;
      socket.end();
      resolve(reply);
    };
    const socket = connect(entry.socket);
    const connectTimer = setTimeout(() => {
      settle({ ok: false, unreachable: `its control socket did not accept a connection within ${CONNECT_TIMEOUT_MS / 1000} s` });
      socket.destroy();
    }, CONNECT_TIMEOUT_MS);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      socket.write(encodeMessage({ version: CONTROL_PROTOCOL_VERSION, token: entry.token, command }));
    });
    readLines(socket, (line) => {
      const decoded = decodeMessage(line, ControlResponseSchema);
      if ('error' in decoded) return settle({ ok: false, unreachable: `it answered with ${decoded.error}` });
      const response = decoded.value;
      if (!response.ok) return settle(response);
      if (response.result.type !== RESULT_OF[command.type]) return settle({ ok: false, unreachable: `it answered a ${command.type} request with a ${response.result.type} result` });
      settle({ ok: true, result: response.result as ResultOf<C> });
    }, MAX_RESPONSE_LENGTH);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      settle({ ok: false, unreachable: CONNECTION_REASONS[error.code ?? ''] ?? error.message });
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      settle({ ok: false, unreachable: 'it closed the connection without answering (the job may have ended)' });
    });
  });
}
