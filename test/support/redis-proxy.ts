// A TCP proxy in front of the test Redis that can hold back Redis's answers for a while and cut
// every connection, so tests can open the windows a real network opens only now and then: a slow
// handshake, and Redis going away while clients are subscribed.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface RedisProxy {
  url: string;
  /** Redis's bytes to new connections wait this long before they are passed on. */
  holdRepliesMs: number;
  /** Cuts every open connection; new ones are refused until `accept` is set back to true. */
  cutAll(): void;
  accept: boolean;
  close(): Promise<void>;
}

export async function startRedisProxy(target: { host: string; port: number }): Promise<RedisProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const proxy: RedisProxy = {
    url: '',
    holdRepliesMs: 0,
    accept: true,
    cutAll() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    close: async () => {
      proxy.cutAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((client) => {
    if (!proxy.accept) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Held bytes are kept in order and passed on together when the hold ends.
    let held: Buffer[] | undefined = proxy.holdRepliesMs > 0 ? [] : undefined;
    if (held) {
      setTimeout(() => {
        for (const chunk of held ?? []) client.write(chunk);
        held = undefined;
      }, proxy.holdRepliesMs);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (held) held.push(chunk);
      else client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
