// Starts the process: build fastify, register the app, listen; close gracefully on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import app, { type AppOptions } from './app.js';
import type { Logger } from './logger.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The x-request-id the client sent (printable, at most 128 characters), else null. */
    clientRequestId: string | null;
  }
}

/** The x-request-id a client sent when it is printable and bounded (it goes into logs and the audit log as sent), else null. */
function clientRequestIdOf(headers: IncomingHttpHeaders): string | null {
  const sent = headers['x-request-id'];
  return typeof sent === 'string' && /^[\x21-\x7e]{1,128}$/.test(sent) ? sent : null;
}

export async function buildServer(opts: AppOptions & { logger: Logger }): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.config.http.bodyLimitBytes,
    // acctnet's own id for every request: a client's x-request-id is kept beside it
    // (request.clientRequestId: logged, audited, echoed), never used as the key of our records.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // Explicit (ACCTNET_TRUST_PROXY): request.ip — the rate limits' client address — is the TCP peer
    // unless the operator names the proxies whose X-Forwarded-For may be believed.
    // (Cast only to pick the HTTP/1 overload of Fastify(); it takes a boolean, a hop count or addresses.)
    trustProxy: opts.config.http.trustProxy as FastifyServerOptions['trustProxy'] & boolean,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { maxParamLength: 1024 },
    // The request's logger is made before any hook runs, and fastify's own lines ("incoming
    // request", "request completed") use it: the client's id must be bound here to be on them.
    childLoggerFactory: (logger, bindings, childOpts, rawReq) => {
      const clientRequestId = clientRequestIdOf(rawReq.headers);
      return logger.child(clientRequestId === null ? bindings : { ...bindings, clientRequestId }, childOpts);
    },
  });
  server.decorateRequest('clientRequestId', null);
  server.addHook('onRequest', async (request) => {
    request.clientRequestId = clientRequestIdOf(request.headers);
  });
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.clientRequestId !== null) reply.header('x-client-request-id', request.clientRequestId);
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
