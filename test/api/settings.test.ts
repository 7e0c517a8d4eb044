// The API's settings reach the running app (built as `acctnet serve` builds it, on the real services):
// a variable that is parsed and then not passed on fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openServices, type TestServices } from '../helpers/services.js';

const row = (k: number) => ({
  tx_id: `limit-${k}`,
  from_account: `LA${k}`,
  to_account: `LB${k}`,
  amount: '10.00',
  currency: 'EUR',
  timestamp: '2026-02-01T10:00:00Z',
});

describe('API settings', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  before(async () => {
    s = await openServices({
      ACCTNET_BODY_LIMIT_BYTES: '2048',
      ACCTNET_API_CACHE_ENTRIES: '3',
      ACCTNET_API_CACHE_BYTES: '4096',
      ACCTNET_API_CACHE_RESULT_BYTES: '40000',
    });
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test('ACCTNET_BODY_LIMIT_BYTES: a transactions body over the limit gets 413 with a reason', async () => {
    const small = Array.from({ length: 5 }, (_, k) => row(k));
    const big = Array.from({ length: 40 }, (_, k) => row(100 + k));
    assert.ok(JSON.stringify(small).length < 2048 && JSON.stringify(big).length > 2048);
    const over = await app.inject({ method: 'POST', url: '/v1/transactions', payload: big, headers: bearer(keys.ingest) });
    assert.equal(over.statusCode, 413, over.body);
    assert.match(
      over.json().message,
      /too large: this route takes at most 2048 bytes \(ACCTNET_BODY_LIMIT_BYTES\); send fewer rows per request/,
    );
    const within = await app.inject({ method: 'POST', url: '/v1/transactions', payload: small, headers: bearer(keys.ingest) });
    assert.equal(within.statusCode, 202, within.body);
    assert.equal(within.json().rows, 5);
    // The setting bounds every route: the account look-up, which asks for up to 1 MB, gets 2 KB here.
    const ids = Array.from({ length: 200 }, (_, k) => `LOOKUP-${k}`);
    assert.ok(JSON.stringify({ ids }).length > 2048);
    const lookup = await app.inject({ method: 'POST', url: '/v1/accounts/lookup', payload: { ids }, headers: bearer(keys.investigator) });
    assert.equal(lookup.statusCode, 413, lookup.body);
  });

  test('ACCTNET_API_CACHE_ENTRIES bounds the result cache', async () => {
    for (let k = 0; k < 6; k++) await app.readCache.memo(`settings-test:${k}`, async () => ({ k }));
    assert.equal(app.readCache.size, 3);
  });

  test('ACCTNET_API_CACHE_RESULT_BYTES bounds the result cache in bytes: a result over a quarter of it is not kept', async () => {
    let loads = 0;
    const load = (chars: number) => async () => {
      loads++;
      return 'r'.repeat(chars);
    };
    // About 24 KB (two bytes per character) > 10,000 bytes, a quarter of the 40,000 set: loaded every time.
    for (let i = 0; i < 2; i++) {
      await app.readCache.memo('settings-test:large-result', load(12_000));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(loads, 2);
    // A small one is kept (loaded once).
    for (let i = 0; i < 2; i++) {
      await app.readCache.memo('settings-test:small-result', load(10));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(loads, 3);
    assert.ok(app.readCache.resultBytes <= 40_000, `held ${app.readCache.resultBytes} bytes`);
  });

  test('ACCTNET_API_CACHE_BYTES: a body larger than the cache is built every time, a small one once', async () => {
    let built = 0;
    const make = (chars: number) => async () => {
      built++;
      return 'x'.repeat(chars);
    };
    // Two bytes per UTF-16 code unit: 3,000 characters are 6,000 bytes, over the 4,096 set.
    await app.readCache.body('settings-test:big', make(3000));
    await app.readCache.body('settings-test:big', make(3000));
    assert.equal(built, 2);
    await app.readCache.body('settings-test:small', make(100));
    await app.readCache.body('settings-test:small', make(100));
    assert.equal(built, 3);
  });
});
