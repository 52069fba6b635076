import type { Committable, SinkWriter } from '../../runtime/connectors/sink-connector.js';

/** The `blackhole` sink: discards rows, counting them (for benchmarks). */
export class BlackholeSinkWriter implements SinkWriter {
  /** Rows received so far. */
  rows = 0;

  write(rows: readonly (readonly unknown[])[]): void {
    this.rows += rows.length;
  }

  async flush(): Promise<void> {}

  async preCommit(): Promise<Committable[]> {
    return [];
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {}

  async recover(): Promise<void> {}

  async close(): Promise<void> {}
}
