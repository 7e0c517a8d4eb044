// What the API logs per request (docs/operations.md, Logs), read from the pino stream itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildServer } from '../../src/server.js';
import { bearer, createKeys, type Keys } from '../helpers/app.js';
import { openServices, type TestServices } from '../helpers/services.js';

type Line = Record<string, unknown> & { msg: string; reqId?: string; clientRequestId?: string };

describe('request logs (real Neo4j and Redis)', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  const lines: Line[] = [];
  /** The lines of one request, by acctnet's id of it (the x-request-id answered). */
  const linesOf = (reqId: string) => lines.filter((l) => l.reqId === reqId);

  before(async () => {
    s = await openServices();
    const logger = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Line) });
    app = await buildServer({
      config: s.config,
      runtime: s.rt,
      logger,
      extra: [
        async (instance) => {
          instance.get('/v1/explode', { config: { roles: ['investigator'] } }, async () => {
            throw new Error('boom');
          });
        },
      ],
    });
    await app.ready();
    keys = await createKeys(s);
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test("two lines per request, both with acctnet's request id and the client's x-request-id", async () => {
    for (const url of ['/v1/runs', '/v1/nowhere']) {
      const res = await app.inject({ method: 'GET', url, headers: { ...bearer(keys.investigator), 'x-request-id': 'client-9' } });
      const mine = linesOf(res.headers['x-request-id'] as string);
      assert.deepEqual(
        mine.map((l) => l.msg),
        ['incoming request', 'request completed'],
        JSON.stringify(mine),
      );
      for (const line of mine) assert.equal(line.clientRequestId, 'client-9', `${url}: ${JSON.stringify(line)}`);
      assert.equal((mine[1]!.res as { statusCode: number }).statusCode, res.statusCode);
    }
  });

  test('a 5xx adds its error line between the two, with the same ids', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/explode',
      headers: { ...bearer(keys.investigator), 'x-request-id': 'client-10' },
    });
    assert.equal(res.statusCode, 500);
    const mine = linesOf(res.headers['x-request-id'] as string);
    assert.deepEqual(
      mine.map((l) => l.msg),
      ['incoming request', 'request failed', 'request completed'],
    );
    for (const line of mine) assert.equal(line.clientRequestId, 'client-10', JSON.stringify(line));
  });

  test('an x-request-id that is not printable or too long is neither logged nor echoed', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/runs',
      headers: { ...bearer(keys.investigator), 'x-request-id': 'x'.repeat(129) },
    });
    assert.equal(res.headers['x-client-request-id'], undefined);
    const mine = linesOf(res.headers['x-request-id'] as string);
    assert.equal(mine.length, 2);
    for (const line of mine) assert.equal(line.clientRequestId, undefined);
  });
});
