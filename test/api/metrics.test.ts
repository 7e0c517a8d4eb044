// /metrics against real Neo4j and Redis reached through relays the test closes: a store that is down
// costs only its own series, never the scrape.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { int } from 'neo4j-driver';
import { createDriver } from '../../src/neo4j/driver.js';
import { createKeyRepository } from '../../src/neo4j/repositories/keys.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { testConfig, testNeo4jUri } from '../helpers/env.js';
import { openRelay, type Relay } from '../helpers/proxy.js';
import { openServices, type TestServices } from '../helpers/services.js';

/** The samples of an exposition: series (name and labels as written) → value. */
function samples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const hasSeries = (m: Map<string, number>, name: string) => [...m.keys()].some((k) => k === name || k.startsWith(`${name}{`));

describe('/metrics (real Neo4j and Redis, reached through relays the test can close)', () => {
  const redisUrl = testConfig().config.redis.url;
  let neo: Relay;
  let red: Relay;
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  const servers: FastifyInstance[] = [];
  /** A server of its own (its own metrics cache) with Prometheus's key verified while both stores answer: the API caches a verified key. */
  const server = async () => {
    const built = await buildTestApp(s);
    servers.push(built);
    assert.equal((await built.inject({ method: 'GET', url: '/health', headers: bearer(keys.metrics) })).statusCode, 200);
    return built;
  };
  const scrape = async (server: FastifyInstance) => {
    const t = performance.now();
    const res = await server.inject({ method: 'GET', url: '/metrics', headers: bearer(keys.metrics) });
    return { status: res.statusCode, body: res.body, m: samples(res.body), seconds: (performance.now() - t) / 1000 };
  };

  before(async () => {
    const n = new URL(testNeo4jUri());
    const r = new URL(redisUrl);
    neo = await openRelay({ host: n.hostname, port: Number(n.port) });
    red = await openRelay({ host: r.hostname, port: Number(r.port || 6379) });
    s = await openServices({ NEO4J_URI: `bolt://127.0.0.1:${neo.port}`, REDIS_URL: `redis://127.0.0.1:${red.port}` });
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    // Both stores back, so that everything closes.
    await neo.reopen().catch(() => {});
    await red.reopen().catch(() => {});
    for (const built of [app, ...servers]) await built?.close();
    await s?.close();
    await neo.close();
    await red.close();
  });

  test('one scrape reads each store once, however many gauges it feeds', async () => {
    const client = new Redis(redisUrl);
    const monitor = await client.monitor();
    const statsKey = `${s.config.queue.prefix}:watch:stats`;
    let reads = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'hgetall' && args[1] === statsKey) reads++;
    });
    try {
      const first = await scrape(app);
      assert.equal(first.status, 200);
      assert.ok(hasSeries(first.m, 'acctnet_watch_events_total'));
      await sleep(200);
      assert.equal(reads, 1, 'the gauges of one scrape share one read of Redis');
      assert.equal((await scrape(app)).status, 200);
      await sleep(200);
      assert.equal(reads, 1, 'a scrape within 10 s is answered from the cache');
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
  });

  test('the help text says how to read each series (docs/operations.md)', async () => {
    const { body } = await scrape(app);
    const help = (name: string) => new RegExp(`^# HELP ${name} (.*)$`, 'm').exec(body)?.[1] ?? '';
    assert.match(help('acctnet_ingest_rows'), /still kept.*deriv\(\)/, 'a gauge of the kept batches: deriv(), not rate()');
    // Totals read with rate()/increase() are counters, named as such.
    for (const name of ['acctnet_auth_requests_total', 'acctnet_watch_events_total'])
      assert.match(body, new RegExp(`^# TYPE ${name} counter$`, 'm'), name);
    assert.doesNotMatch(body, /^acctnet_(auth_requests|watch_events)\{/m, 'no gauge left under the old names');
  });

  test('acctnet_watch_events_total is the store-wide total the ingest workers keep in Redis', async () => {
    const redis = new Redis(redisUrl);
    try {
      await redis.hincrby(`${s.config.queue.prefix}:watch:stats`, 'failures', 3);
      await redis.hincrby(`${s.config.queue.prefix}:watch:stats`, 'provisional', 2);
    } finally {
      redis.disconnect();
    }
    const { m } = await scrape(await server());
    assert.equal(m.get('acctnet_watch_events_total{event="failures"}'), 3);
    assert.equal(m.get('acctnet_watch_events_total{event="provisional"}'), 2);
    assert.equal(m.get('acctnet_watch_events_total{event="autoListed"}'), 0);
  });

  test("the last success and its list's counts stay on /metrics however many runs failed since; absent before the first success", async () => {
    const lastSuccess = async () => (await scrape(await server())).m.get('acctnet_recompute_last_success_timestamp_seconds');
    const t0 = Date.UTC(2026, 11, 1);
    const run = (seq: number, status: string, counts: Record<string, number> = {}) =>
      s.driver.executeQuery(
        `CREATE (:Run {id: $id, seq: $seq, status: $status, trigger: 'test', requestedBy: 'test', requestedAt: $at,
                       startedAt: $at, finishedAt: $at + 60000, step: 'done', counts: $counts})`,
        { id: `run-${seq}`, seq: int(seq), status, at: int(t0 + seq * 3_600_000), counts: JSON.stringify(counts) },
      );
    const list = async () => {
      const { m } = await scrape(await server());
      return ['candidates', 'still_listed', 'listed_before', 'review'].map((k) =>
        m.get(`acctnet_recompute_last_list_accounts{kind="${k}"}`),
      );
    };
    await run(1, 'failed', { candidates: 99 });
    assert.equal(await lastSuccess(), undefined, 'no success yet: absent (absent() fires), not 0');
    assert.deepEqual(await list(), [undefined, undefined, undefined, undefined], "a failed run's counts are not the list's");
    await run(2, 'succeeded', { candidates: 310, stillListed: 7, listedBefore: 305, review: 12 });
    for (let seq = 3; seq <= 30; seq++) await run(seq, 'failed', { candidates: 1 });
    assert.equal(await lastSuccess(), (t0 + 2 * 3_600_000 + 60_000) / 1000, 'the success before 28 failed runs');
    assert.deepEqual(await list(), [310, 7, 305, 12], 'the list of the newest success, kept by the hysteresis included');
    await s.driver.executeQuery('MATCH (r:Run) DETACH DELETE r');
  });

  test(
    "a store down: 200 with the HTTP and process metrics, source_up 0 and that store's series left out; 1 again when it answers",
    { timeout: 60_000 },
    async () => {
      const first = await server();
      const second = await server();
      await red.close();
      const noRedis = await scrape(first);
      assert.equal(noRedis.status, 200, noRedis.body);
      assert.equal(noRedis.m.get('acctnet_metrics_source_up{source="redis"}'), 0);
      assert.equal(noRedis.m.get('acctnet_metrics_source_up{source="neo4j"}'), 1);
      assert.ok(!hasSeries(noRedis.m, 'acctnet_queue_jobs'), 'queue depths are left out, not reported as 0');
      assert.ok(!hasSeries(noRedis.m, 'acctnet_watch_auto_listed_last_hour'));
      assert.ok(hasSeries(noRedis.m, 'acctnet_ingest_rows'), "Neo4j's series are still there");
      assert.ok(hasSeries(noRedis.m, 'acctnet_http_request_duration_seconds_count'));
      assert.ok(hasSeries(noRedis.m, 'acctnet_process_cpu_user_seconds_total'));
      assert.ok(noRedis.seconds < 9, `answered in ${noRedis.seconds} s, within a 10 s scrape timeout`);

      await neo.close();
      const neither = await scrape(second);
      assert.equal(neither.status, 200, neither.body);
      assert.equal(neither.m.get('acctnet_metrics_source_up{source="redis"}'), 0);
      assert.equal(neither.m.get('acctnet_metrics_source_up{source="neo4j"}'), 0);
      for (const name of [
        'acctnet_queue_jobs',
        'acctnet_ingest_rows',
        'acctnet_blacklist_served_version',
        'acctnet_blacklist_entries',
        'acctnet_recompute_last_success_timestamp_seconds',
        'acctnet_watch_auto_listed_last_hour',
      ])
        assert.ok(!hasSeries(neither.m, name), `${name} is left out`);
      assert.ok(hasSeries(neither.m, 'acctnet_http_request_duration_seconds_count'));
      assert.ok(hasSeries(neither.m, 'acctnet_process_cpu_user_seconds_total'));
      assert.ok(hasSeries(neither.m, 'acctnet_nodejs_heap_size_total_bytes'));
      assert.ok(neither.seconds < 9, `answered in ${neither.seconds} s`);

      await neo.reopen();
      await red.reopen();
      let back = neither;
      for (let i = 0; i < 30 && back.m.get('acctnet_metrics_source_up{source="neo4j"}') !== 1; i++) {
        await sleep(1000);
        back = await scrape(second);
      }
      assert.equal(back.status, 200);
      assert.equal(back.m.get('acctnet_metrics_source_up{source="neo4j"}'), 1);
      assert.equal(back.m.get('acctnet_metrics_source_up{source="redis"}'), 1);
      assert.ok(hasSeries(back.m, 'acctnet_queue_jobs') && hasSeries(back.m, 'acctnet_ingest_rows'));
    },
  );

  test(
    "Neo4j down for longer than the key cache: Prometheus's key still scrapes; once Neo4j answers, a revocation made meanwhile applies",
    { timeout: 120_000 },
    async () => {
      const scraper = await server();
      const seen = performance.now();
      await neo.close();
      // Past the 30 s for which a verified key is cached: the old way, a lookup in a Neo4j that is down.
      await sleep(Math.max(0, 31_000 - (performance.now() - seen)));
      const during = await scrape(scraper);
      assert.equal(during.status, 200, during.body);
      assert.equal(during.m.get('acctnet_metrics_source_up{source="neo4j"}'), 0);
      assert.equal(during.m.get('acctnet_metrics_source_up{source="redis"}'), 1);
      assert.ok(during.seconds < 9, `answered in ${during.seconds} s`);

      // The key is revoked in the store (from outside the API) while the API cannot reach it.
      const direct = createDriver({ ...s.config.neo4j, uri: testNeo4jUri() });
      try {
        const repo = createKeyRepository(direct, s.config.neo4j);
        const id = (await repo.findByKey(keys.metrics))!.id;
        await repo.revoke(id, 'test');
      } finally {
        await direct.close();
      }
      await neo.reopen();
      let status = during.status;
      for (let i = 0; i < 45 && status === 200; i++) {
        await sleep(1000);
        status = (await scrape(scraper)).status;
      }
      assert.equal(status, 401, 'refused once the API could check the key again');
    },
  );
});
