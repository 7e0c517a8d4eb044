// Starts the process: build fastify, register the app, listen; close gracefully on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import app, { type AppOptions } from './app.js';
import type { Logger } from './logger.js';

export async function buildServer(opts: AppOptions & { logger: Logger }): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.config.http.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Explicit (ACCTNET_TRUST_PROXY): request.ip — the rate limits' client address — is the TCP peer
    // unless the operator names the proxies whose X-Forwarded-For may be believed.
    // (Cast only to pick the HTTP/1 overload of Fastify(); it takes a boolean, a hop count or addresses.)
    trustProxy: opts.config.http.trustProxy as FastifyServerOptions['trustProxy'] & boolean,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { maxParamLength: 1024 },
  });
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await server.register(app, opts);
  return server;
}

export async function listen(server: FastifyInstance, host: string, port: number): Promise<string> {
  const address = await server.listen({ host, port });
  let closing = false;
  const close = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'closing server');
    void server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => close('SIGTERM'));
  process.once('SIGINT', () => close('SIGINT'));
  return address;
}
