import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { DiagnosticError } from '../../runtime/diagnostic-error.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { REDACTED, redactUrlPasswords } from '../secrets.js';

/**
 * Connecting to JetStream, shared by the source and the sink. Tokens belong in 'token' (or SLUICE_NATS_TOKEN), not
 * in a server URL, where only a `user:password@` part is hidden from messages. The driver (`@nats-io/transport-node`,
 * `@nats-io/jetstream`) is imported here only, lazily, so that compiling a job never loads it.
 *
 * Reconnection is off on purpose: a connection lost mid-run fails the task, and the job's restart strategy
 * restores the last checkpoint, which is what keeps the exactly-once positions right. A client that reconnected
 * by itself could not tell the operator what it missed.
 */
export interface JetStreamSettings {
  /** Comma-separated server URLs as given; may hold credentials, so never printed as is (see `shownServers`). */
  readonly servers: readonly string[];
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly token: string | undefined;
  readonly connectTimeoutMs: number;
}

/** Environment variables that supply credentials when the options do not (docs: connectors/jetstream/definition.ts). */
export const CREDENTIAL_VARIABLES = { user: 'SLUICE_NATS_USER', password: 'SLUICE_NATS_PASSWORD', token: 'SLUICE_NATS_TOKEN' } as const;

export function jetStreamSettings(options: ConnectorOptions): JetStreamSettings {
  const optional = (name: string, variable: string): string | undefined =>
    options.has(name) ? options.string(name) : process.env[variable] === undefined || process.env[variable] === '' ? undefined : process.env[variable];
  return {
    servers: options
      .string('servers')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    user: optional('user', CREDENTIAL_VARIABLES.user),
    password: optional('password', CREDENTIAL_VARIABLES.password),
    token: optional('token', CREDENTIAL_VARIABLES.token),
    connectTimeoutMs: options.durationMs('connect.timeout', 5_000),
  };
}

/** The server list for messages, URL passwords hidden (connectors/secrets.ts). */
export function shownServers(settings: Pick<JetStreamSettings, 'servers'>): string {
  return redactUrlPasswords(settings.servers.join(','));
}

export interface JetStreamConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** A new unique reply subject. */
  inbox(): string;
  /** Empty message headers. */
  headers(): MsgHdrs;
  /** Set once the connection has closed: why, for the next read or write to throw. */
  lost(): Error | undefined;
  close(): Promise<void>;
}

/**
 * Connects, and fails with SLC9180 naming the servers (credentials hidden) and what `role` needed them for when no
 * server answers or JetStream is not enabled there.
 */
export async function connectJetStream(settings: JetStreamSettings, role: string, stream: string): Promise<JetStreamConnection> {
  const [{ connect, createInbox, headers }, { jetstream, jetstreamManager }] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...settings.servers],
      reconnect: false,
      timeout: settings.connectTimeoutMs,
      name: `sluice ${role}`,
      ...(settings.user === undefined ? {} : { user: settings.user }),
      ...(settings.password === undefined ? {} : { pass: settings.password }),
      ...(settings.token === undefined ? {} : { token: settings.token }),
    });
  } catch (error) {
    throw unreachable(settings, role, stream, error);
  }
  let lostWith: Error | undefined;
  void nc.closed().then((error) => {
    lostWith = new DiagnosticError(Diagnostics.JetStreamConnectionLost, {
      role,
      servers: shownServers(settings),
      stream,
      reason: error instanceof Error ? error.message : 'the connection was closed',
    });
  });
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: settings.connectTimeoutMs });
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw unreachable(settings, role, stream, error);
  }
  return {
    nc,
    jsm,
    js: jetstream(nc, { timeout: settings.connectTimeoutMs }),
    inbox: () => createInbox(),
    headers: () => headers(),
    lost: () => lostWith,
    close: async () => {
      lostWith ??= new Error(`${role}: the connection was closed`);
      if (!nc.isClosed()) await nc.close();
    },
  };
}

/** The stream's info, or SLC9181 when the server has no such stream. */
export async function streamInfo(connection: JetStreamConnection, settings: JetStreamSettings, role: string, stream: string): Promise<StreamInfo> {
  try {
    return await connection.jsm.streams.info(stream);
  } catch (error) {
    if (/stream not found/i.test((error as Error).message)) {
      throw new DiagnosticError(Diagnostics.JetStreamStreamMissing, { role, servers: shownServers(settings), stream });
    }
    throw unreachable(settings, role, stream, error);
  }
}

function unreachable(settings: JetStreamSettings, role: string, stream: string, error: unknown): DiagnosticError {
  const reason = hideCredentials(error instanceof Error ? error.message : String(error), settings);
  return new DiagnosticError(Diagnostics.JetStreamUnreachable, { role, servers: shownServers(settings), stream, reason });
}

/** Driver messages may echo the URL they failed to dial, or a credential. */
function hideCredentials(text: string, settings: JetStreamSettings): string {
  let shown = redactUrlPasswords(text);
  for (const secret of [settings.password, settings.token]) if (secret !== undefined && secret !== '') shown = shown.split(secret).join(REDACTED);
  return shown;
}
