/** Where a dashboard listens. */
export interface WebUiAddress {
  readonly host: string;
  readonly port: number;
}

/** Like Flink's `rest.port`; the loopback address unless told otherwise, so that only this machine can reach it. */
export const DEFAULT_WEB_UI_ADDRESS: WebUiAddress = { host: '127.0.0.1', port: 8081 };

/**
 * `--web-ui` values: `8081`, `host:8081`, `[::1]:8081`; an empty value (the flag alone) means the default.
 * Undefined when it is none of these.
 */
export function parseWebUiAddress(value: string): WebUiAddress | undefined {
  if (value === '') return DEFAULT_WEB_UI_ADDRESS;
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  const host = match[1] === undefined ? DEFAULT_WEB_UI_ADDRESS.host : match[1].replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/** `host:port` for messages and URLs (IPv6 hosts in brackets). */
export function formatWebUiAddress(address: WebUiAddress): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/** Whether only this machine can reach `host`. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
