// A TCP relay in front of a real service: closing it is a real outage for whoever connects through
// it (open connections cut, new ones refused), reopening it on the same port ends the outage.
import net from 'node:net';

export interface Relay {
  /** host:port to connect to instead of the service. */
  readonly port: number;
  /** Cuts every connection and stops listening: connections are refused. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /**
   * true: cuts every connection and from then on accepts connections without relaying them (a
   * service that hangs: the TCP connect succeeds, nothing ever answers); false: relays again.
   */
  silence(on: boolean): void;
}

export async function openRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  let silent = false;
  const server = net.createServer((client) => {
    if (silent) {
      track(client);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    reopen: () => listen(port),
    silence(on: boolean) {
      silent = on;
      if (on) for (const s of sockets) s.destroy();
    },
  };
}
