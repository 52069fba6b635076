import type { ErrorResponse } from '../server/schemas.js';

/**
 * The page's client of the REST API. The token comes once in the URL's fragment (`#token=…`, which browsers never
 * send to a server); the page keeps it in sessionStorage (this tab only, gone when it closes) and removes it from
 * the address bar, so that it does not end up in bookmarks or screen shares.
 */
const TOKEN_KEY = 'sluice-dashboard-token';

export function takeToken(): string | undefined {
  const fromUrl = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(location.hash)?.[1];
  if (fromUrl !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    history.replaceState(null, '', location.pathname + location.search);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export class ApiError extends Error {}

export class Api {
  constructor(private readonly token: string) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.token}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(path, { ...init, headers });
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as ErrorResponse | undefined;
      throw new ApiError(body === undefined ? `HTTP ${response.status}` : `[${body.error.code}] ${body.error.message}`);
    }
    return response;
  }

  /** GETs a path; the body has the type of its schema (the server builds it from the same one; zod stays out of the page). */
  async get<T>(path: string): Promise<T> {
    return (await this.request(path)).json() as Promise<T>;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request(path, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<T>;
  }

  /**
   * Follows the server-sent events of `path` (fetch, since EventSource cannot send the token), calling `onEvent`
   * for each; reconnects after a pause when the stream ends, until `signal` aborts.
   */
  async follow(path: string, onEvent: (event: string, data: string) => void, onState: (connected: boolean) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await this.request(path, { signal });
        onState(true);
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice('data: '.length))
              .join('\n');
            if (event !== undefined) onEvent(event, data);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Reconnect below (the job's process may be gone: the state shows it).
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
