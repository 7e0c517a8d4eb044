// Abuse and overload against the real Neo4j and Redis: ingest back-pressure, a flood of requests
// without a valid key, per-key rate limits, /health without internals, expiring keys.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { ingestJobId } from '../../src/queue/ingest-queue.js';
import { createKeyRepository } from '../../src/neo4j/repositories/keys.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { buildServer } from '../../src/server.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { ROOT, testLogger, tmpDir } from '../helpers/env.js';
import { openServices, type TestServices } from '../helpers/services.js';

const rows = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, k) => ({
    tx_id: `${prefix}-${k}`,
    from_account: `A${k}`,
    to_account: `B${k}`,
    amount: '1.00',
    timestamp: '2026-01-01T00:00:00Z',
  }));

describe('abuse and overload (real Neo4j and Redis)', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  const servers: FastifyInstance[] = [];
  const variant = async (change: (c: Config) => Config) => {
    const server = await buildServer({ config: change(s.config), runtime: s.rt, logger: testLogger() });
    await server.ready();
    servers.push(server);
    return server;
  };
  before(async () => {
    s = await openServices({
      ACCTNET_INGEST_BATCH_SIZE: '2',
      ACCTNET_INGEST_MAX_BACKLOG_JOBS: '3',
      ACCTNET_AUTH_FAILURES_PER_MINUTE: '5',
    });
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    for (const server of servers) await server.close();
    await app.close();
    await s.close();
  });

  test('POST /v1/transactions past the backlog bound → 429 with Retry-After, nothing queued; accepted again once drained', async () => {
    const post = (payload: unknown) =>
      app.inject({ method: 'POST', url: '/v1/transactions', headers: bearer(keys.ingest), payload: payload as object });
    const first = await post(rows('bp1', 4)); // 2 jobs, no worker running: they wait
    assert.equal(first.statusCode, 202, first.body);
    const refused = await post(rows('bp2', 3)); // 2 more jobs: 4 > 3
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '10');
    assert.match(
      refused.json().message,
      /ingest backlog is full \(2 jobs not yet written; this request needs 2, the bound is 3\): nothing was queued/,
    );
    const counts = await s.rt.ingestQueue().getJobCounts('waiting', 'active', 'delayed');
    assert.equal((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0), 2, 'the refused request queued nothing');
    const batches = await s.driver.executeQuery('MATCH (b:IngestBatch) RETURN count(b) AS n');
    assert.equal(Number(batches.records[0]!.get('n')), 1, 'and created no batch');
    assert.equal((await post(rows('bp3', 1))).statusCode, 202, 'one more job still fits (3 ≤ 3)');
    // A request that alone needs more jobs than the bound can never fit: 413 saying how many rows fit, not 429.
    const tooBig = await post(rows('bp4', 7)); // 4 jobs of 2 rows > 3
    assert.equal(tooBig.statusCode, 413, tooBig.body);
    assert.equal(tooBig.headers['retry-after'], undefined);
    assert.match(
      tooBig.json().message,
      /needs 4 ingest jobs of 2 rows, more than .*ACCTNET_INGEST_MAX_BACKLOG_JOBS=3.*send at most 6 rows per request/,
    );

    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    try {
      for (let i = 0; i < 200; i++) {
        const c = await s.rt.ingestQueue().getJobCounts('waiting', 'active', 'delayed');
        if ((c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const again = await post(rows('bp2', 3));
      assert.equal(again.statusCode, 202, again.body);
    } finally {
      await worker.close();
    }
  });

  test('a flood of random bearer tokens from one address: 401 until the bound, then 429 without any key lookup', async () => {
    const server = await variant((c) => c);
    const attacker = '203.0.113.7';
    // A key this process already verified keeps working from that address during the flood.
    assert.equal(
      (await server.inject({ method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator), remoteAddress: attacker })).statusCode,
      200,
    );
    const lookupsBefore = server.authStats.keyLookups;
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 300; i++) {
      const res = await server.inject({
        method: 'GET',
        url: '/v1/blacklist',
        headers: bearer(`acctnet_${crypto.randomBytes(32).toString('base64url')}`),
        remoteAddress: attacker,
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = res.headers['retry-after'] as string;
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(
      statuses.slice(5).every((x) => x === 429),
      'every attempt past the bound is 429',
    );
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `retry-after ${retryAfter}`);
    assert.equal(server.authStats.keyLookups - lookupsBefore, 5, 'only the first 5 tokens were looked up in Neo4j');
    // No key at all counts the same way.
    assert.equal((await server.inject({ method: 'GET', url: '/v1/runs', remoteAddress: attacker })).statusCode, 429);
    assert.equal(
      (await server.inject({ method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator), remoteAddress: attacker })).statusCode,
      200,
    );
    // Also once its cached check is too old to trust (30 s): it is looked up again, not refused with
    // the address; a token never verified is still refused without a lookup.
    const realNow = Date.now;
    Date.now = () => realNow() + 31_000;
    try {
      const lookups = server.authStats.keyLookups;
      assert.equal(
        (await server.inject({ method: 'GET', url: '/v1/runs', headers: bearer(keys.investigator), remoteAddress: attacker })).statusCode,
        200,
      );
      assert.equal(server.authStats.keyLookups - lookups, 1, 'the verified key was looked up again');
      const stranger = bearer(`acctnet_${crypto.randomBytes(32).toString('base64url')}`);
      assert.equal((await server.inject({ method: 'GET', url: '/v1/runs', headers: stranger, remoteAddress: attacker })).statusCode, 429);
      assert.equal(server.authStats.keyLookups - lookups, 1, 'no lookup for a token never verified');
    } finally {
      Date.now = realNow;
    }
    // Another address is not affected; an unknown key repeated is answered from the negative cache.
    const bogus = `acctnet_${crypto.randomBytes(32).toString('base64url')}`;
    const before2 = server.authStats.keyLookups;
    for (let i = 0; i < 3; i++) {
      const res = await server.inject({ method: 'GET', url: '/v1/runs', headers: bearer(bogus), remoteAddress: '198.51.100.1' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().message, 'Unknown API key');
    }
    assert.equal(server.authStats.keyLookups - before2, 1, 'one lookup for three tries of the same unknown key');
    const metrics = await server.inject({ method: 'GET', url: '/metrics', headers: bearer(keys.metrics), remoteAddress: '198.51.100.2' });
    assert.match(metrics.body, /^acctnet_auth_requests_total\{outcome="limited"\} (\d+)$/m);
  });

  test('ACCTNET_TRUST_PROXY: the failed-attempt limit keys on X-Forwarded-For only from a trusted proxy', async () => {
    const trustProxy = (raw: string) => loadConfig({ ...process.env, ACCTNET_TRUST_PROXY: raw }).http.trustProxy;
    const noKey = (server: FastifyInstance, peer: string, forwardedFor: string) =>
      server.inject({ method: 'GET', url: '/v1/runs', remoteAddress: peer, headers: { 'x-forwarded-for': forwardedFor } });

    // Default (false): the address is the TCP peer. Clients behind one proxy share its bucket, and a
    // forged X-Forwarded-For buys no fresh budget.
    assert.equal(s.config.http.trustProxy, false, 'the default');
    const direct = await variant((c) => ({ ...c, http: { ...c.http, trustProxy: trustProxy('false') } }));
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) seen.push((await noKey(direct, '10.1.1.1', `192.0.2.${10 + i}`)).statusCode);
    assert.deepEqual(seen, [401, 401, 401, 401, 401, 429, 429]);

    // The proxy's range trusted: each forwarded client has its own bucket ...
    const behind = await variant((c) => ({ ...c, http: { ...c.http, trustProxy: trustProxy('10.0.0.0/8') } }));
    const first: number[] = [];
    for (let i = 0; i < 6; i++) first.push((await noKey(behind, '10.1.1.1', '192.0.2.77')).statusCode);
    assert.deepEqual(first, [401, 401, 401, 401, 401, 429], 'one forwarded client reaches the bound');
    assert.equal((await noKey(behind, '10.1.1.1', '192.0.2.78')).statusCode, 401, 'another client behind the same proxy is not limited');
    // ... but a peer outside the trusted range cannot choose its address by sending the header.
    const forged: number[] = [];
    for (let i = 0; i < 7; i++) forged.push((await noKey(behind, '203.0.113.99', `198.51.100.${i}`)).statusCode);
    assert.deepEqual(forged, [401, 401, 401, 401, 401, 429, 429]);
  });

  test('the per-key rate limit counts the authenticated key: another key from the same address has its own budget', async () => {
    const server = await variant((c) => ({ ...c, http: { ...c.http, rateLimitPerMinute: 3 } }));
    const get = (key: string) => server.inject({ method: 'GET', url: '/v1/runs', headers: bearer(key), remoteAddress: '192.0.2.5' });
    for (let i = 0; i < 3; i++) assert.equal((await get(keys.investigator)).statusCode, 200);
    const limited = await get(keys.investigator);
    assert.equal(limited.statusCode, 429);
    assert.ok(limited.headers['retry-after']);
    assert.equal((await get(keys.admin)).statusCode, 200, 'the admin key from the same address is not limited');
  });

  test('/health: status only without an admin key; details and last run for admins; one Redis connection reused', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(anonymous.statusCode, 200);
    assert.deepEqual(anonymous.json(), { status: 'ok' });
    assert.deepEqual((await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.investigator) })).json(), { status: 'ok' });
    // A stale or unknown key (a load balancer's probe) gets the status too, not a 401.
    const stale = await app.inject({ method: 'GET', url: '/health', headers: bearer('acctnet_unknown_key_for_health') });
    assert.equal(stale.statusCode, 200, stale.body);
    assert.deepEqual(stale.json(), { status: 'ok' });
    assert.equal(stale.headers['www-authenticate'], undefined);
    const admin = (await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) })).json();
    assert.equal(admin.neo4j.ok, true);
    assert.equal(admin.redis.ok, true);
    assert.deepEqual(Object.keys(admin.queues.ingest).sort(), ['active', 'delayed', 'failed', 'waiting']);
    assert.equal(admin.lastRun, null, 'no run yet');
    // With runs: the newest run and the last success (docs/api.md, Operations routes).
    const runRepo = createRunRepository(s.driver, s.config.neo4j);
    const started = { jobId: null, trigger: 'test', requestedBy: 'test', requestedAt: Date.now(), params: {} };
    const ok = await runRepo.start(started);
    const okAt = Date.now();
    await runRepo.finish({
      id: ok.id,
      status: 'succeeded',
      finishedAt: okAt,
      timings: {},
      counts: {},
      warnings: [],
      asOf: null,
      version: null,
    });
    const bad = await runRepo.start(started);
    await runRepo.fail(bad.id, 'test failure', null);
    const withRuns = (await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) })).json();
    assert.equal(withRuns.lastRun?.id, bad.id);
    assert.equal(withRuns.lastRun.status, 'failed');
    assert.equal(withRuns.lastRun.lastSucceededAt, new Date(okAt).toISOString());
    // The last success stays visible behind any number of failures (it was looked for among the last 20 runs).
    for (let i = 0; i < 21; i++) await runRepo.fail((await runRepo.start(started)).id, 'test failure', null);
    const afterFailures = (await app.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) })).json();
    assert.equal(afterFailures.lastRun.status, 'failed');
    assert.equal(afterFailures.lastRun.lastSucceededAt, new Date(okAt).toISOString());
    assert.deepEqual(
      (await app.inject({ method: 'GET', url: '/health' })).json(),
      { status: 'ok' },
      'the public still sees the status alone',
    );

    for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: '/health' });
    const redis = new Redis(s.config.redis.url);
    try {
      const list = (await redis.client('LIST')) as string;
      const probes = list.split('\n').filter((l) => l.includes(`name=acctnet-health:${s.config.queue.prefix} `));
      assert.equal(probes.length, 1, 'one probe connection for 22 probes');
    } finally {
      redis.disconnect();
    }

    // Redis unreachable: the public sees "degraded" and nothing else; an admin sees why.
    const down = await variant((c) => ({ ...c, redis: { url: 'redis://127.0.0.1:1' } }));
    const publicDown = await down.inject({ method: 'GET', url: '/health' });
    assert.equal(publicDown.statusCode, 503);
    assert.deepEqual(publicDown.json(), { status: 'degraded' });
    const adminDown = (await down.inject({ method: 'GET', url: '/health', headers: bearer(keys.admin) })).json();
    assert.equal(adminDown.redis.ok, false);
    assert.ok(adminDown.redis.error.length > 0, 'the admin sees the error');
  });

  test("API times without a zone are refused (400), never read as the server's local time", async () => {
    const asOf = (value: string) =>
      app.inject({ method: 'POST', url: '/v1/recomputations', headers: bearer(keys.investigator), payload: { asOf: value } });
    const zoneless = await asOf('2026-06-30T12:00:00');
    assert.equal(zoneless.statusCode, 400, zoneless.body);
    assert.match(zoneless.json().message, /date-time/);
    const since = await app.inject({ method: 'GET', url: '/v1/migrations?since=2026-06-30T12:00:00', headers: bearer(keys.investigator) });
    assert.equal(since.statusCode, 400, since.body);
    const withZone = await app.inject({
      method: 'GET',
      url: '/v1/migrations?since=2026-06-30T12:00:00Z',
      headers: bearer(keys.investigator),
    });
    assert.notEqual(withZone.statusCode, 400, `with a zone the time is accepted: ${withZone.body}`);
  });

  test('keys expire: enforced (also when cached), the expiry audited once, shown by keys list; --expires-in checked', async () => {
    const repo = createKeyRepository(s.driver, s.config.neo4j);
    const { key, record } = await repo.create('investigator', 'short-lived', 'test', Date.now() + 1500);
    const get = () => app.inject({ method: 'GET', url: '/v1/runs', headers: bearer(key) });
    assert.equal((await get()).statusCode, 200);
    await new Promise((r) => setTimeout(r, 1700));
    const expired = await get();
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().message, /^This API key expired at \d{4}-\d\d-\d\dT.*; ask an admin for a new one$/);
    assert.equal((await get()).statusCode, 401);
    const audit = (await app.inject({ method: 'GET', url: '/v1/audit?limit=200', headers: bearer(keys.admin) })).json();
    const entries = audit.items.filter(
      (a: { action: string; target: string }) => a.action === 'key.expired' && a.target === `key:${record.id}`,
    );
    assert.equal(entries.length, 1, 'audited once');

    const listed = (await app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(keys.admin) })).json();
    assert.ok(listed.items.find((k: { id: string; expiresAt: string | null }) => k.id === record.id)?.expiresAt);
    const viaApi = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(keys.admin),
      payload: { role: 'gateway', name: 'gw', expiresIn: '90d' },
    });
    assert.equal(viaApi.statusCode, 201, viaApi.body);
    const days = (Date.parse(viaApi.json().record.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);
    assert.equal(viaApi.json().audit.details.expiresAt, viaApi.json().record.expiresAt);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(keys.admin),
      payload: { role: 'gateway', name: 'gw', expiresIn: '90 days' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /expected a number and h, d or w between 1h and 3650d, e.g. 90d/);

    const cli = (args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...args], { env: s.env, encoding: 'utf8', cwd: tmpDir('keys') });
    const created = cli(['keys', 'create', '--role', 'gateway', '--name', 'gw-cli', '--expires-in', '90d']);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stderr, /created, expires \d{4}-/);
    const list = cli(['keys', 'list']);
    assert.match(list.stdout, /gw-cli {2}created .* expires \d{4}-/);
    assert.match(list.stdout, /short-lived {2}created .* EXPIRED \d{4}-/);
    const wrong = cli(['keys', 'create', '--role', 'gateway', '--name', 'x', '--expires-in', '5m']);
    assert.equal(wrong.status, 64);
    assert.match(wrong.stderr, /--expires-in "5m": expected a number and h, d or w between 1h and 3650d/);
  });

  test('an ingest key reads only the batches it posted; the client x-request-id is kept beside our own id in the audit log', async () => {
    const repo = createKeyRepository(s.driver, s.config.neo4j);
    const other = (await repo.create('ingest', 'another client', 'test')).key;
    const posted = await app.inject({ method: 'POST', url: '/v1/transactions', headers: bearer(keys.ingest), payload: rows('own', 1) });
    assert.equal(posted.statusCode, 202, posted.body);
    const url = posted.json().statusUrl as string;
    assert.equal((await app.inject({ method: 'GET', url, headers: bearer(keys.ingest) })).statusCode, 200);
    const foreign = await app.inject({ method: 'GET', url, headers: bearer(other) });
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().message, `No ingest batch ${posted.json().batchId}`, 'the same answer as an absent batch');
    assert.equal((await app.inject({ method: 'GET', url, headers: bearer(keys.investigator) })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url, headers: bearer(keys.admin) })).statusCode, 200);

    const labelled = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: { ...bearer(keys.investigator), 'x-request-id': 'client-7' },
      payload: { accountId: 'A0', label: 'legit', note: 'request id test' },
    });
    assert.equal(labelled.statusCode, 201, labelled.body);
    const ours = labelled.headers['x-request-id'] as string;
    assert.notEqual(ours, 'client-7');
    assert.equal(labelled.headers['x-client-request-id'], 'client-7');
    assert.equal(labelled.json().audit.requestId, ours);
    assert.equal(labelled.json().audit.clientRequestId, 'client-7');
  });

  test('an HTTP batch whose job Redis lost (a restart without persistence) reads failed with "resend the rows" after the grace minute', async () => {
    const posted = await app.inject({ method: 'POST', url: '/v1/transactions', headers: bearer(keys.ingest), payload: rows('lost', 2) });
    assert.equal(posted.statusCode, 202, posted.body);
    const { batchId, statusUrl } = posted.json() as { batchId: string; statusUrl: string };
    // No worker runs: the job waits. Redis loses it, as a restart without persistence would.
    await (await s.rt.ingestQueue().getJob(ingestJobId(batchId, 0)))!.remove();
    const status = async () => (await app.inject({ method: 'GET', url: statusUrl, headers: bearer(keys.ingest) })).json();
    const early = await status();
    assert.equal(early.state, 'writing', 'within a minute the job may still be on its way to the queue');
    assert.deepEqual(early.failedJobs, []);
    await s.driver.executeQuery('MATCH (b:IngestBatch {id: $id}) SET b.createdAt = b.createdAt - 120000', { id: batchId });
    const late = await status();
    assert.equal(late.state, 'failed');
    assert.equal(late.failedJobs.length, 1);
    assert.match(late.failedJobs[0].reason, /^lost from the queue before it was written .*resend the rows/);
  });
});
