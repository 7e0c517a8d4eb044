// The API while a store is down, as `acctnet serve` builds it (its own fail-fast Runtime, not the
// tests' waiting one): a request answers 503 within seconds with Retry-After and names the store;
// a write refused for Redis leaves nothing behind; once the store is back, requests work again
// without a restart. Redis is the test's own redis-server (stopped and started again on its port;
// the shared one is never touched); Neo4j is the test instance reached through a relay the test
// closes (a real outage for the API, none for other tests).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { INGEST_QUEUE } from '../../src/queue/ingest-queue.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { buildServer } from '../../src/server.js';
import { bearer, createKeys, type Keys } from '../helpers/app.js';
import { testLogger, testNeo4jUri } from '../helpers/env.js';
import { openRelay, type Relay } from '../helpers/proxy.js';
import { openServices, type TestServices } from '../helpers/services.js';
import { ownRedisPort, redisReady, startRedis, stopRedis } from '../helpers/own-redis.js';

const PORT = ownRedisPort(6391, 80);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request with a deadline of its own: the old way, it waited for the store to return. */
async function timed(
  app: FastifyInstance,
  opts: InjectOptions & { method: string; url: string },
  limitMs = 15_000,
): Promise<{ res: LightMyRequestResponse; seconds: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      app.inject(opts as InjectOptions),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${opts.method} ${opts.url}: no answer within ${limitMs} ms`)), limitMs);
      }),
    ]);
    return { res, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
  }
}

const ROWS = (id: string) => [
  { tx_id: id, from_account: 'OUT-A', to_account: 'OUT-B', amount: '10.00', timestamp: '2026-02-01T10:00:00Z' },
];

function assertUnavailable(res: LightMyRequestResponse, store: RegExp): void {
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.headers['retry-after'], '5');
  const body = res.json();
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'statusCode']);
  assert.equal(body.error, 'Service Unavailable');
  assert.match(body.message, store);
  assert.match(body.message, /retry later \(request id [0-9a-f-]{36}\)/);
}

describe(`the API during outages (own redis-server on port ${PORT}; Neo4j through a relay)`, () => {
  let redis: ChildProcess | undefined;
  let neo: Relay;
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;

  before(async () => {
    redis = startRedis(PORT);
    await redisReady(PORT);
    const n = new URL(testNeo4jUri());
    neo = await openRelay({ host: n.hostname, port: Number(n.port) });
    s = await openServices({ REDIS_URL: `redis://127.0.0.1:${PORT}`, NEO4J_URI: `bolt://127.0.0.1:${neo.port}` });
    // As `acctnet serve` builds it: no Runtime handed in, the API makes its own (fail fast).
    app = await buildServer({ config: s.config, logger: testLogger() });
    await app.ready();
    keys = await createKeys(s);
  });
  after(async () => {
    // Both stores back, so that everything closes.
    await neo.reopen().catch(() => {});
    if (!redis || redis.exitCode !== null || redis.signalCode !== null) {
      redis = startRedis(PORT);
      await redisReady(PORT);
    }
    await app?.close();
    await s?.close();
    await stopRedis(redis);
    await neo.close();
  });

  test(
    'Redis down: writes that queue answer 503 within seconds and leave nothing behind; reads work; writes work again once Redis is back',
    { timeout: 120_000 },
    async (t) => {
      const before = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('o1'), headers: bearer(keys.ingest) });
      assert.equal(before.res.statusCode, 202, before.res.body);
      t.diagnostic(`POST /v1/transactions with Redis up: ${before.res.statusCode} in ${before.seconds.toFixed(3)} s`);

      await stopRedis(redis);
      redis = undefined;

      const tx = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('o2'), headers: bearer(keys.ingest) });
      t.diagnostic(`POST /v1/transactions with Redis stopped: ${tx.res.statusCode} in ${tx.seconds.toFixed(3)} s`);
      assertUnavailable(tx.res, /job queue \(Redis\) is unavailable/);
      assert.ok(tx.seconds < 3, `answered in ${tx.seconds} s`);

      const override = await timed(app, {
        method: 'POST',
        url: '/v1/blacklist/overrides',
        payload: { accountId: 'OUT-1', action: 'include', reason: 'outage test' },
        headers: bearer(keys.investigator),
      });
      t.diagnostic(`POST /v1/blacklist/overrides with Redis stopped: ${override.res.statusCode} in ${override.seconds.toFixed(3)} s`);
      assertUnavailable(override.res, /job queue \(Redis\) is unavailable/);
      assert.ok(override.seconds < 3, `answered in ${override.seconds} s`);
      // Refused before anything was written: no override, no audit entry that says it was set.
      assert.equal(await createBlacklistRepository(s.driver, s.config.neo4j).override('OUT-1'), null);
      const audited = await s.driver.executeQuery('MATCH (a:AuditEntry {target: $target}) RETURN count(a) AS n', {
        target: 'account:OUT-1',
      });
      assert.equal(Number(audited.records[0]!.get('n')), 0, 'no audit entry for a refused override');

      const recompute = await timed(app, { method: 'POST', url: '/v1/recomputations', payload: {}, headers: bearer(keys.investigator) });
      assertUnavailable(recompute.res, /job queue \(Redis\) is unavailable/);
      assert.ok(recompute.seconds < 3, `answered in ${recompute.seconds} s`);
      const audits = await s.driver.executeQuery("MATCH (a:AuditEntry {action: 'recompute.request'}) RETURN count(a) AS n");
      assert.equal(Number(audits.records[0]!.get('n')), 0, 'no recompute request audited');

      // A read that needs only Neo4j still answers.
      const read = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator) });
      assert.equal(read.res.statusCode, 200, read.res.body);

      // An API started while Redis is down (a restarted pod) starts at once and serves reads and
      // pulls; what needs Redis answers 503 until Redis answers, then works without a restart.
      const started = performance.now();
      const late = await buildServer({ config: s.config, logger: testLogger() });
      await late.ready();
      t.diagnostic(`an API built with Redis down was ready in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      assert.ok(performance.now() - started < 5_000);
      const lateRead = await timed(late, { method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator) });
      assert.equal(lateRead.res.statusCode, 200, lateRead.res.body);
      const latePull = await timed(late, { method: 'GET', url: '/v1/blacklist', headers: bearer(keys.gateway) });
      assert.notEqual(latePull.res.statusCode, 503, latePull.res.body);
      assert.ok(latePull.res.statusCode < 500, latePull.res.body);
      const lateTx = await timed(late, { method: 'POST', url: '/v1/transactions', payload: ROWS('o4'), headers: bearer(keys.ingest) });
      assertUnavailable(lateTx.res, /job queue \(Redis\) is unavailable/);
      assert.ok(lateTx.seconds < 3, `answered in ${lateTx.seconds} s`);

      // Down for a few seconds, as a restart is: ioredis is retrying by then.
      await sleep(3_000);
      const back = performance.now();
      redis = startRedis(PORT);
      await redisReady(PORT);
      t.diagnostic(`the restarted redis-server answered a ping ${((performance.now() - back) / 1000).toFixed(2)} s after it was started`);
      let again = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('o3'), headers: bearer(keys.ingest) });
      while (again.res.statusCode === 503 && performance.now() - back < 20_000) {
        await sleep(200);
        again = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('o3'), headers: bearer(keys.ingest) });
      }
      const after = (performance.now() - back) / 1000;
      t.diagnostic(`POST /v1/transactions ${again.res.statusCode} again ${after.toFixed(2)} s after redis-server was started again`);
      assert.equal(again.res.statusCode, 202, again.res.body);
      assert.ok(after < 5, `writes work again ${after} s after Redis was started (ioredis reconnects every ≤ 2 s)`);
      // The API started without Redis accepts writes too, once its queues are ready.
      let lateAgain = await timed(late, { method: 'POST', url: '/v1/transactions', payload: ROWS('o5'), headers: bearer(keys.ingest) });
      while (lateAgain.res.statusCode === 503 && performance.now() - back < 20_000) {
        await sleep(200);
        lateAgain = await timed(late, { method: 'POST', url: '/v1/transactions', payload: ROWS('o5'), headers: bearer(keys.ingest) });
      }
      t.diagnostic(
        `the API started without Redis: POST /v1/transactions ${lateAgain.res.statusCode} ${((performance.now() - back) / 1000).toFixed(2)} s after redis-server was started again`,
      );
      assert.equal(lateAgain.res.statusCode, 202, lateAgain.res.body);
      await late.close();
      // The jobs are in the (new, empty) Redis: queued now, not held back from before.
      const queue = new Queue(INGEST_QUEUE, { connection: { host: '127.0.0.1', port: PORT }, prefix: s.config.queue.prefix });
      try {
        const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
        assert.deepEqual(
          jobs.map((j) => j.data.batchId).sort(),
          [again.res.json().batchId, lateAgain.res.json().batchId].sort(),
          'exactly the job of the request made after Redis returned: nothing refused earlier was replayed',
        );
      } finally {
        await queue.close();
      }

      const override2 = await timed(app, {
        method: 'POST',
        url: '/v1/blacklist/overrides',
        payload: { accountId: 'OUT-1', action: 'include', reason: 'outage test' },
        headers: bearer(keys.investigator),
      });
      assert.equal(override2.res.statusCode, 201, override2.res.body);
      assert.equal(override2.res.json().published.status, 'published');
      t.diagnostic(`POST /v1/blacklist/overrides after Redis returned: ${override2.res.statusCode} in ${override2.seconds.toFixed(3)} s`);
    },
  );

  test('Redis full (maxmemory, noeviction): a batch is refused 503 saying so, and its record says its jobs were never queued', async (t) => {
    const r = new Redis(PORT, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      // Reads (the route's ping, the backlog count) still work; every write is refused.
      await r.config('SET', 'maxmemory', '1');
      const tx = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('m1'), headers: bearer(keys.ingest) });
      t.diagnostic(`POST /v1/transactions with Redis full: ${tx.res.statusCode} in ${tx.seconds.toFixed(3)} s: ${tx.res.json().message}`);
      assert.equal(tx.res.statusCode, 503, tx.res.body);
      assert.equal(tx.res.headers['retry-after'], '5');
      assert.match(tx.res.json().message, /^The job queue \(Redis\) refuses writes: its memory is full \(maxmemory/);
      // The batch registered before its jobs says why it will never be written (not "lost" a minute later).
      const batches = await s.driver.executeQuery(
        'MATCH (b:IngestBatch) WHERE b.abortReason IS NOT NULL AND b.createdAt > $since RETURN b.id AS id',
        { since: Date.now() - 60_000 },
      );
      assert.equal(batches.records.length, 1);
      const id = batches.records[0]!.get('id') as string;
      const report = await app.inject({ method: 'GET', url: `/v1/ingest/batches/${id}`, headers: bearer(keys.investigator) });
      assert.equal(report.statusCode, 200, report.body);
      assert.equal(report.json().state, 'failed');
      assert.match(report.json().aborted, /its jobs could not be queued \(OOM command not allowed.*resend the rows/);
      // An override is committed (Neo4j) and its publication, which needs Redis, is pending.
      const override = await timed(app, {
        method: 'POST',
        url: '/v1/blacklist/overrides',
        payload: { accountId: 'OUT-M', action: 'include', reason: 'outage test' },
        headers: bearer(keys.investigator),
      });
      assert.equal(override.res.statusCode, 201, override.res.body);
      assert.equal(override.res.json().published.status, 'pending');
    } finally {
      await r.config('SET', 'maxmemory', '0');
      r.disconnect();
    }
    const again = await timed(app, { method: 'POST', url: '/v1/transactions', payload: ROWS('m1'), headers: bearer(keys.ingest) });
    assert.equal(again.res.statusCode, 202, again.res.body);
  });

  test(
    'Neo4j down: an authenticated request answers 503 within seconds (not the driver’s 30 s of retries); it answers again once Neo4j is back',
    {
      timeout: 180_000,
    },
    async (t) => {
      // A key never used in this process (its check goes to Neo4j), and one verified while Neo4j is up.
      const fresh = (await createKeys(s)).investigator;
      const up = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator) });
      assert.equal(up.res.statusCode, 200, up.res.body);
      t.diagnostic(`GET /v1/runs with Neo4j up: ${up.seconds.toFixed(3)} s`);

      // The operator's admin key, verified while Neo4j is up: /health keeps its details in the outage.
      // Its cache entry is older than the 30 s after which a key is looked up again (the case the
      // operator meets: the key was last used minutes before the outage).
      assert.equal((await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) })).statusCode, 200);
      await sleep(31_000);
      await neo.close();
      const adminHealth = await timed(app, { method: 'GET', url: '/health', headers: bearer(keys.admin) }, 90_000);
      t.diagnostic(`GET /health (admin) with Neo4j down: ${adminHealth.res.statusCode} in ${adminHealth.seconds.toFixed(2)} s`);
      assert.equal(adminHealth.res.statusCode, 503, adminHealth.res.body);
      assert.equal(adminHealth.res.json().status, 'degraded');
      assert.equal(adminHealth.res.json().neo4j?.ok, false, `the admin sees which store failed: ${adminHealth.res.body}`);
      assert.equal(adminHealth.res.json().redis?.ok, true);
      const unchecked = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(fresh) }, 90_000);
      t.diagnostic(`GET /v1/runs, key not cached, Neo4j down: ${unchecked.res.statusCode} in ${unchecked.seconds.toFixed(2)} s`);
      assertUnavailable(unchecked.res, /database \(Neo4j\) is unavailable/);
      assert.ok(unchecked.seconds < 6, `answered in ${unchecked.seconds} s`);

      const cached = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator) }, 90_000);
      t.diagnostic(`GET /v1/runs, key cached, Neo4j down: ${cached.res.statusCode} in ${cached.seconds.toFixed(2)} s`);
      assertUnavailable(cached.res, /database \(Neo4j\) is unavailable/);
      assert.ok(cached.seconds < 6, `answered in ${cached.seconds} s`);

      const override = await timed(
        app,
        {
          method: 'POST',
          url: '/v1/blacklist/overrides',
          payload: { accountId: 'OUT-2', action: 'include', reason: 'outage test' },
          headers: bearer(keys.investigator),
        },
        90_000,
      );
      t.diagnostic(`POST /v1/blacklist/overrides, Neo4j down: ${override.res.statusCode} in ${override.seconds.toFixed(2)} s`);
      assertUnavailable(override.res, /database \(Neo4j\) is unavailable/);
      assert.ok(override.seconds < 6, `answered in ${override.seconds} s`);

      const health = await timed(app, { method: 'GET', url: '/health' });
      assert.equal(health.res.statusCode, 503);
      assert.ok(health.seconds < 3, `/health in ${health.seconds} s`);

      // A Neo4j that accepts connections and never answers (a hung JVM): bounded by the wait for a
      // pooled connection (5 s), answered 503 as well (it was a 500 with the driver's own error).
      await neo.reopen();
      neo.silence(true);
      const hung = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(fresh) }, 90_000);
      t.diagnostic(
        `GET /v1/runs, key not cached, Neo4j accepting connections and not answering: ${hung.res.statusCode} in ${hung.seconds.toFixed(2)} s`,
      );
      assertUnavailable(hung.res, /database \(Neo4j\) is unavailable/);
      assert.ok(hung.seconds < 8, `answered in ${hung.seconds} s`);

      neo.silence(false);
      const back = performance.now();
      let again = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(fresh) }, 90_000);
      t.diagnostic(`GET /v1/runs right after Neo4j answered again: ${again.res.statusCode} in ${again.seconds.toFixed(3)} s`);
      while (again.res.statusCode !== 200 && performance.now() - back < 30_000) {
        await sleep(200);
        again = await timed(app, { method: 'GET', url: '/v1/runs', headers: bearer(fresh) }, 90_000);
      }
      const after = (performance.now() - back) / 1000;
      t.diagnostic(`GET /v1/runs ${again.res.statusCode} again ${after.toFixed(1)} s after Neo4j answered`);
      assert.equal(again.res.statusCode, 200, again.res.body);
      assert.ok(after < 10, `answers again ${after} s after Neo4j returned`);
    },
  );
});
