// A local webhook receiver for tests: reads each request's whole body, then hands request, body
// and response to the test's handler. Listens on a free loopback port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverHandler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

export async function startReceiver(handler: ReceiverHandler): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
