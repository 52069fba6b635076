import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a nats-server that loses the `drop`-th pull request a client sends
 * (`PUB $JS.API.CONSUMER.MSG.NEXT.…`) on the way, as a request lost between client and server looks: the server
 * never sees it, so no message and no 408 ever answer it. Everything else passes unchanged in both directions.
 */
export interface PullDroppingProxy {
  readonly url: string;
  /** Pull requests lost so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

const PULL = 'PUB $JS.API.CONSUMER.MSG.NEXT.';

export async function pullDroppingProxy(target: { host: string; port: number }, drop: number): Promise<PullDroppingProxy> {
  let pulls = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    // Protocol text as latin1 (one char per byte), so slicing keeps payload bytes intact. Held back: an incomplete
    // message, which may be a pull request still arriving.
    let held = '';
    client.on('data', (chunk: Buffer) => {
      held += chunk.toString('latin1');
      let out = '';
      for (;;) {
        const at = held.indexOf(PULL);
        if (at < 0) {
          const complete = held.lastIndexOf('\r\n') + 2;
          out += held.slice(0, complete);
          held = held.slice(complete);
          break;
        }
        out += held.slice(0, at);
        held = held.slice(at);
        const lineEnd = held.indexOf('\r\n');
        if (lineEnd < 0) break;
        const size = Number(held.slice(0, lineEnd).split(' ').at(-1));
        const length = lineEnd + 2 + size + 2;
        if (held.length < length) break;
        pulls++;
        if (pulls === drop) dropped++;
        else out += held.slice(0, length);
        held = held.slice(length);
      }
      if (out !== '') upstream.write(Buffer.from(out, 'latin1'));
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    get dropped() {
      return dropped;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
