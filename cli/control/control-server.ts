import { chmod } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { ControllableJob } from './controllable-job.js';
import { tokensMatch } from './job-registry.js';
import { readView, type DashboardSource } from '../../web/server/dashboard-source.js';
import {
  ControlRequestSchema,
  decodeMessage,
  encodeMessage,
  readLines,
  type ControlCommand,
  type ControlError,
  type ControlResponse,
} from './protocol.js';

export interface ControlServerOptions {
  readonly job: ControllableJob;
  readonly pipelineName: string;
  /** A unix socket path (a named pipe on Windows). */
  readonly socketPath: string;
  /** Requests without exactly this token are refused. */
  readonly token: string;
  /** Notes for the job's own output: a savepoint written, a stop requested. */
  readonly log: (line: string) => void;
  /** How long `close` waits for requests under way to be answered. */
  readonly closeGraceMs?: number;
  /** The job's dashboard figures, which `sluice ui` reads; without it, dashboard requests are refused. */
  readonly dashboard?: DashboardSource;
}

const DEFAULT_CLOSE_GRACE_MS = 5000;

function failure(kind: ControlError['kind'], message: string): ControlResponse {
  return { ok: false, error: { kind, message } };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A running job's control endpoint: answers the requests of protocol.ts on a local socket, one at a time per
 * connection, after checking the caller's token. Once a stop is under way, other requests are refused as busy.
 */
export class ControlServer {
  private stopping = false;
  private readonly connections = new Set<Socket>();
  private readonly underWay = new Set<Promise<void>>();

  private constructor(
    private readonly server: Server,
    private readonly options: ControlServerOptions,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Listens on `options.socketPath`, which only its owner may connect to; rejects when it cannot. */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const control = new ControlServer(server, options);
    if (process.platform !== 'win32') {
      try {
        await chmod(options.socketPath, 0o600);
      } catch (error) {
        await control.close();
        throw error;
      }
    }
    return control;
  }

  private accept(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    // A client that goes away mid-answer is no concern of the job's.
    socket.on('error', () => undefined);
    let previous = Promise.resolve();
    readLines(socket, (line) => {
      const answered = previous.then(() => this.answer(socket, line));
      previous = answered;
      this.underWay.add(answered);
      void answered.finally(() => this.underWay.delete(answered));
    });
  }

  private async answer(socket: Socket, line: string): Promise<void> {
    const request = decodeMessage(line, ControlRequestSchema);
    let response: ControlResponse;
    if ('error' in request) response = failure('bad-request', `${request.error} (is the client another version of Sluice?)`);
    else if (!tokensMatch(request.value.token, this.options.token)) response = failure('unauthorized', "refused: the request does not carry this job's token");
    else response = await this.execute(request.value.command);
    if (socket.destroyed) return;
    socket.write(encodeMessage(response));
    if (!response.ok && (response.error.kind === 'unauthorized' || response.error.kind === 'bad-request')) socket.end();
  }

  private async execute(command: ControlCommand): Promise<ControlResponse> {
    const { job, log } = this.options;
    if (command.type === 'status') {
      return { ok: true, result: { type: 'status', jobId: job.jobId, pipelineName: this.options.pipelineName, pid: process.pid, stopping: this.stopping } };
    }
    if (command.type === 'dashboard') {
      if (this.options.dashboard === undefined) return failure('failed', `job ${job.jobId} keeps no dashboard figures`);
      try {
        return { ok: true, result: { type: 'dashboard', body: await readView(this.options.dashboard, command.view, command.uid) } };
      } catch (error) {
        return failure('failed', reasonOf(error));
      }
    }
    if (this.stopping) return failure('busy', `job ${job.jobId} is stopping already`);
    if (command.type === 'savepoint') {
      try {
        const { path } = await job.savepoint(command.targetDir);
        log(`savepoint written to ${path}`);
        return { ok: true, result: { type: 'savepoint', path } };
      } catch (error) {
        return failure('failed', reasonOf(error));
      }
    }
    this.stopping = true;
    const savepoint = command.savepointDir === undefined ? '' : ` with a savepoint into ${command.savepointDir}`;
    log(`stop requested${command.drain ? ', draining (every window fires)' : ''}${savepoint}`);
    try {
      const stopped = await job.stop({
        ...(command.savepointDir === undefined ? {} : { savepoint: command.savepointDir }),
        ...(command.drain ? { drain: true } : {}),
      });
      if (stopped.savepointPath !== undefined) log(`savepoint written to ${stopped.savepointPath}`);
      return { ok: true, result: { type: 'stopped', ...(stopped.savepointPath === undefined ? {} : { savepointPath: stopped.savepointPath }) } };
    } catch (error) {
      // Like Flink's stop-with-savepoint: when the savepoint fails, the job keeps running.
      this.stopping = false;
      log(`stop failed, the job keeps running: ${reasonOf(error)}`);
      return failure('failed', reasonOf(error));
    }
  }

  /**
   * Stops listening, lets requests under way be answered (a stop's answer comes as the job ends), then closes
   * every connection. Waits at most `closeGraceMs` for the answers.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.allSettled([...this.underWay]), grace]);
    clearTimeout(timer);
    for (const socket of this.connections) socket.end();
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
    for (const socket of this.connections) socket.destroy();
  }
}
