// One error shape for every response: {statusCode, error, message}. 4xx keep a message that says
// what to fix; 5xx are logged with the request id and answered generically — no internals leave.
import type { FastifyError, FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError, HTTP_STATUS, isNeo4jUnavailable, StorageUnavailable } from '../errors.js';
import { isRedisOutOfMemory, isRedisUnavailable } from '../redis/connection.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (message: string) => new HttpError(404, message);
export const badRequest = (message: string) => new HttpError(400, message);
export const conflict = (message: string) => new HttpError(409, message);

/** Retry-After of a 503: the API reconnects by itself (Redis every ≤ 2 s, Neo4j at the next request). */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** Which store a 503 is about, when the error says: its message names it to the caller. */
function unavailableStore(err: unknown): 'neo4j' | 'redis' | null {
  if (err instanceof StorageUnavailable) return err.store;
  if (isRedisUnavailable(err)) return 'redis';
  if (isNeo4jUnavailable(err)) return 'neo4j';
  return null;
}

function unavailableMessage(store: 'neo4j' | 'redis' | null, ref: string): string {
  if (store === 'redis') return `The job queue (Redis) is unavailable; retry later (${ref})`;
  if (store === 'neo4j') return `The database (Neo4j) is unavailable; retry later (${ref})`;
  return `A storage service is unavailable; retry later (${ref})`;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * A schema error in words that say what to send. A value that must be one of a few words (a union
 * of literals: anyOf of const) is reported by ajv as one "must be equal to constant" per word and
 * an anyOf line; it becomes "body/label must be one of: fraud, legit". Other errors keep ajv's text.
 * Null when nothing was rewritten.
 */
export function validationMessage(errors: readonly SchemaError[], context: string): string | null {
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const')
      (allowed.get(e.instancePath) ?? allowed.set(e.instancePath, []).get(e.instancePath)!).push(e.params.allowedValue);
    if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues))
      (allowed.get(e.instancePath) ?? allowed.set(e.instancePath, []).get(e.instancePath)!).push(...e.params.allowedValues);
  }
  // Only where every error at that place is about the words: a union with another kind of member (a
  // pattern, null) keeps ajv's text, which names that member too.
  for (const e of errors)
    if (allowed.has(e.instancePath) && e.keyword !== 'const' && e.keyword !== 'enum' && e.keyword !== 'anyOf')
      allowed.delete(e.instancePath);
  if (allowed.size === 0) return null;
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const where = `${context}${e.instancePath}`;
    const values = allowed.get(e.instancePath);
    if (values && (e.keyword === 'const' || e.keyword === 'enum' || e.keyword === 'anyOf')) {
      if (seen.has(e.instancePath)) continue;
      seen.add(e.instancePath);
      lines.push(`${where} must be one of: ${[...new Set(values.map(String))].join(', ')}`);
    } else lines.push(`${where} ${e.message ?? 'is invalid'}`);
  }
  return [...new Set(lines)].join(', ');
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { code?: string }, request, reply) => {
    let status =
      err instanceof DomainError
        ? HTTP_STATUS[err.kind]
        : typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600
          ? err.statusCode
          : 500;
    if (status === 500 && (isNeo4jUnavailable(err) || isRedisUnavailable(err) || isRedisOutOfMemory(err))) status = 503;
    if (status >= 500) {
      request.log.error({ err, reqId: request.id }, 'request failed');
      const yours = request.clientRequestId ? `; your x-request-id ${request.clientRequestId}` : '';
      if (status === 503) {
        // Which store, and when to come back (the API reconnects by itself).
        reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
        const ref = `request id ${request.id}${yours}`;
        const message = isRedisOutOfMemory(err)
          ? `The job queue (Redis) refuses writes: its memory is full (maxmemory; the operator frees memory or raises the limit — docs/operations.md); retry later (${ref})`
          : unavailableMessage(unavailableStore(err), ref);
        return reply.code(503).send({ statusCode: 503, error: STATUS_CODES[503], message });
      }
      const message = `Internal error; it was logged with request id ${request.id}${yours}`;
      return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Say the bound, so a client can size its requests (fastify's own text names none).
      const limit = request.routeOptions.bodyLimit;
      const message = `Request body is too large: this route takes at most ${limit} bytes${request.url.startsWith('/v1/transactions') ? ' (ACCTNET_BODY_LIMIT_BYTES); send fewer rows per request' : ''}`;
      return reply.code(413).send({ statusCode: 413, error: STATUS_CODES[413], message });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // fastify's text names no fix; curl -d sends application/x-www-form-urlencoded.
      const sent = request.headers['content-type'];
      const message = `Unsupported Media Type ${sent ? `"${sent}"` : '(no Content-Type header)'}: send the body as JSON with the header "Content-Type: application/json"`;
      return reply.code(415).send({ statusCode: 415, error: STATUS_CODES[415], message });
    }
    // No body at all where the route takes one (a DELETE sent without its {reason}): ajv's "body must
    // be object" names neither what to send nor how.
    const noBody = err.validation && err.validationContext === 'body' && (request.body === undefined || request.body === null);
    const required = (request.routeOptions.schema?.body as { required?: string[] } | undefined)?.required ?? [];
    const message = noBody
      ? `This request needs a JSON body${required.length ? ` with ${required.join(', ')}` : ''}, sent with the header "Content-Type: application/json"`
      : err.validation
        ? (validationMessage(err.validation, err.validationContext ?? 'body') ?? err.message)
        : err.message;
    return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No route ${request.method} ${request.url.split('?')[0]}` }),
  );
}
