// A TCP proxy on 127.0.0.1 in front of the test PostgreSQL that can go away and come back, as a restarting server does,
// or go silent, as a server behind a network partition that drops packets does.
import net from 'node:net';

export interface TcpProxy {
  /** The target URL with host and port replaced by the proxy's. */
  url: string;
  /** Drops every open connection and refuses new ones (ECONNREFUSED), like a server that is down. */
  down(): Promise<void>;
  /** Accepts connections again on the same port, and forwards new ones again after blackhole(). */
  up(): Promise<void>;
  /**
   * A partition that drops packets: accepts new connections and reads what they send, but never forwards, answers,
   * closes or resets them. Connections open at the time stop forwarding the same way and stay silent after up().
   */
  blackhole(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const sockets = new Set<net.Socket>();
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let server: net.Server | undefined;
  let port = 0;
  let silent = false;

  const track = (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  };
  // Reads and discards everything, answers nothing; the socket stays open until the peer or close() ends it.
  const swallow = (sock: net.Socket) => {
    sock.on('data', () => {});
    sock.on('error', () => {});
    sock.resume();
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      // allowHalfOpen: a client's FIN must not be answered either while silent.
      const s = net.createServer({ allowHalfOpen: true }, (client) => {
        track(client);
        if (silent) return swallow(client);
        const upstream = net.connect(targetPort, target.hostname);
        track(upstream);
        const pair = { client, upstream };
        pairs.add(pair);
        client.on('close', () => pairs.delete(pair));
        for (const sock of [client, upstream]) {
          // A reset on one side ends the other; the error itself is what the client under test must handle.
          sock.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = undefined;
    silent = false;
    pairs.clear();
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  const up = async () => {
    silent = false;
    if (!server) await listen();
  };

  const blackhole = async () => {
    silent = true;
    for (const { client, upstream } of pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      swallow(client);
      swallow(upstream);
    }
    pairs.clear();
    if (!server) await listen();
  };

  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), down, up, blackhole, close: down };
}
