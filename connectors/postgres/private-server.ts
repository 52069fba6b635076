import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * For tests that stop and start a PostgreSQL server: a throwaway cluster of the test's own (initdb in a temporary
 * directory, trust authentication, its own port), so the shared server on 5432 is never restarted. Runs the server
 * as the `postgres` system user when the tests run as root (initdb refuses root). Undefined from `create` when the
 * binaries are missing, with the reason.
 */
export class PrivateServer {
  private constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static unavailableReason(): string | undefined {
    return PrivateServer.binDir() === undefined ? 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin' : undefined;
  }

  static create(port: number): PrivateServer {
    const bin = PrivateServer.binDir()!;
    const root = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
    chmodSync(root, 0o777);
    const dataDir = join(root, 'data');
    const server = new PrivateServer(bin, dataDir, port);
    server.run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-w', '-l', join(this.dataDir, '..', 'log'), '-o', `-p ${this.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  }

  /** Stops at once, as a crash would (`-m immediate`). */
  stop(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop']);
  }

  /** Stops the server if running and deletes its files. */
  destroy(): void {
    try {
      this.stop();
    } catch {
      // not running
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private run(tool: string, args: readonly string[]): void {
    const command = join(this.bin, tool);
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' });
    else execFileSync(command, args, { stdio: 'ignore' });
  }

  private static binDir(): string | undefined {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    const version = readdirSync(base).sort().at(-1);
    const bin = version === undefined ? undefined : join(base, version, 'bin');
    return bin !== undefined && existsSync(join(bin, 'pg_ctl')) ? bin : undefined;
  }
}
