// Random bodies, path parameters and query strings on every route: never a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../..',
    '%00',
    '%',
    "'; MATCH (n) DETACH DELETE n //",
    'C000001',
    'run-1',
    'lbl_x',
    '-1',
    '1e999',
    'null',
    '{}',
    'x'.repeat(3000),
  ),
  fc.integer().map(String),
);
const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const body = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(
    fc.constantFrom(
      'accountId',
      'label',
      'note',
      'action',
      'reason',
      'version',
      'url',
      'secret',
      'role',
      'name',
      'asOf',
      'graceHours',
      'tx_id',
      'amount',
    ),
    value,
    { maxKeys: 5 },
  ),
  fc.array(
    fc.dictionary(fc.constantFrom('tx_id', 'from_account', 'to_account', 'amount', 'currency', 'timestamp', 'channel'), value, {
      maxKeys: 7,
    }),
    { maxLength: 3 },
  ),
  value,
);
const query = fc.dictionary(
  fc.constantFrom(
    'limit',
    'cursor',
    'minRisk',
    'type',
    'sort',
    'minSize',
    'maxSize',
    'newSinceVersion',
    'prefix',
    'hops',
    'since',
    'until',
    'minScore',
    'clusterId',
    'format',
    'page',
    'pageSize',
    'rejectedAfter',
    'rejectedLimit',
    'actorKeyId',
  ),
  text,
  { maxKeys: 4 },
);

describe('fuzz: every route', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  before(async () => {
    s = await openAnalysedServices(
      { ACCTNET_RATE_LIMIT_PER_MINUTE: '1000000', ACCTNET_RECOMPUTE_RATE_LIMIT_PER_MINUTE: '1000' },
      { accounts: 400 },
    );
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test('random requests never get a 5xx', async () => {
    const routes = app.routeList.filter((r) => !r.url.startsWith('/docs') && !r.url.startsWith('/admin/queues'));
    assert.ok(routes.length > 20, `routes to fuzz: ${routes.length}`);
    const failures: string[] = [];
    for (const route of routes) {
      const before = failures.length;
      await fc
        .assert(
          fc.asyncProperty(
            fc.array(text, { minLength: 2, maxLength: 2 }),
            query,
            body,
            fc.constantFrom('admin', 'investigator'),
            async (params, q, payload, role) => {
              let k = 0;
              const path = route.url.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[k++ % params.length]!));
              const qs = new URLSearchParams(q as Record<string, string>).toString();
              const res = await app.inject({
                method: route.method as 'GET',
                url: qs ? `${path}?${qs}` : path,
                headers: bearer(keys[role as 'admin' | 'investigator']),
                ...(payload === undefined || route.method === 'GET'
                  ? {}
                  : {
                      payload: JSON.stringify(payload),
                      headers: { ...bearer(keys[role as 'admin']), 'content-type': 'application/json' },
                    }),
              });
              if (res.statusCode >= 500)
                failures.push(
                  `${route.method} ${path}?${qs} ${JSON.stringify(payload)?.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`,
                );
              return res.statusCode < 500;
            },
          ),
          { numRuns: 25, seed: 4242, endOnFailure: true },
        )
        // A 5xx is recorded above; anything else that ends the property (an exception in inject or in
        // this test's own code) is a failure too, not something to swallow.
        .catch((err: unknown) => {
          if (failures.length === before)
            failures.push(`${route.method} ${route.url}: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
        });
    }
    assert.deepEqual(failures, []);
  });
});
