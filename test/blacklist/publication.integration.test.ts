// The one publication path against the real Neo4j and Redis, with a real local receiver that
// applies every diff it gets to its own copy of the list: versions only go up, approvals keep
// overrides, pushes arrive in version order with no gap and coalesce while a receiver is down,
// racing publications both land, a stale lock holder cannot write, and an override whose
// publication waits still answers with its committed audit entry.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { BlacklistEntry } from '../../src/analysis/blacklist.js';
import { publicationLock, publishHolding, publishVersion } from '../../src/blacklist/publish.js';
import { Conflict } from '../../src/errors.js';
import { prune } from '../../src/ops/prune.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { runRecompute } from '../../src/runs/recompute.js';
import { createWebhookWorker } from '../../src/webhooks/webhook-worker.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { testLogger } from '../helpers/env.js';
import { startReceiver } from '../helpers/receiver.js';

interface Delivery {
  full?: boolean;
  fromVersion: number | null;
  toVersion: number;
  answered: number;
  deliveryId: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one publication path (real Neo4j and Redis)', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  let worker: Worker;
  let server: http.Server;
  let url: string;
  let base: string;
  let hookNo = 0;
  // The receiver: its own copy of the list, the version it holds, and what it was sent.
  let held: number | null = null;
  let list = new Map<string, BlacklistEntry>();
  const deliveries: Delivery[] = [];
  let failuresLeft = 0;
  let down = false;
  let webhookId = '';
  const blacklist = () => createBlacklistRepository(s.driver, s.config.neo4j);
  const served = async () => (await blacklist().state()).servedVersion!;

  before(async () => {
    s = await openAnalysedServices({ ACCTNET_WEBHOOK_BACKOFF_MS: '100', ACCTNET_WEBHOOK_ATTEMPTS: '12', ACCTNET_GUARD_MIN_SIZE: '100000' });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    ({ server, base } = await startReceiver((req, raw, res) => {
      // Each test registers its own webhook (its own path); a delivery still in flight to an
      // earlier test's (deleted) webhook is answered and ignored.
      if (req.url !== `/gateway/${hookNo}`) {
        res.writeHead(200).end();
        return;
      }
      const body = JSON.parse(raw) as {
        fromVersion: number | null;
        toVersion: number;
        added: BlacklistEntry[];
        removed: string[];
        full?: boolean;
      };
      const answered = down || failuresLeft > 0 ? 503 : 200;
      if (!down && failuresLeft > 0) failuresLeft--;
      deliveries.push({
        full: body.full,
        fromVersion: body.fromVersion,
        toVersion: body.toVersion,
        answered,
        deliveryId: req.headers['x-acctnet-delivery'] as string,
      });
      if (answered === 200 && body.full) {
        held = body.toVersion; // a real receiver replaces its list from the pull link
      } else if (answered === 200) {
        // A careful receiver: it applies a diff only from the version it holds.
        assert.equal(body.fromVersion, held, `diff from ${body.fromVersion} while holding ${held}`);
        for (const id of body.removed) list.delete(id);
        for (const e of body.added) list.set(e.accountId, e);
        held = body.toVersion;
      }
      res.writeHead(answered).end();
    }));
    url = `${base}/gateway`;
    worker = createWebhookWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
  });
  after(async () => {
    await worker.close();
    server.close();
    await app.close();
    await s.close();
  });

  beforeEach(async () => {
    // A fresh webhook per test; the receiver starts from the served list (as a new gateway pulls it).
    if (webhookId) await app.inject({ method: 'DELETE', url: `/v1/webhooks/${webhookId}`, headers: bearer(keys.admin) });
    hookNo++;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(keys.admin),
      payload: { url: `${url}/${hookNo}` },
    });
    assert.equal(created.statusCode, 201, created.body);
    webhookId = created.json().webhook.id;
    held = await served();
    assert.equal(created.json().webhook.ackedVersion, held);
    list = new Map((await blacklist().entries(held)).map((e) => [e.accountId, e]));
    deliveries.length = 0;
    failuresLeft = 0;
    down = false;
  });

  const outsiders = () => s.world.truth.filter((a) => a.kind === 'person' && !a.fraud).map((a) => a.id);
  const override = (accountId: string, action: 'include' | 'exclude') =>
    app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId, action, reason: 'publication test' },
    });
  const admin = (url: string, payload?: object) =>
    app.inject({ method: url === '/v1/blacklist/pin' && !payload ? 'DELETE' : 'POST', url, headers: bearer(keys.admin), payload });
  const webhook = async () =>
    (await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(keys.admin) }))
      .json()
      .items.find((w: { id: string }) => w.id === webhookId) as { ackedVersion: number | null; paused: boolean };

  /** Waits until the receiver acknowledged the served version, then checks it holds exactly the served list. */
  async function caughtUp() {
    const version = await served();
    for (let k = 0; k < 400 && (await webhook()).ackedVersion !== version; k++) await sleep(50);
    assert.equal((await webhook()).ackedVersion, version, 'the receiver acknowledged the served version');
    assert.equal(held, version);
    const want = await blacklist().entries(version);
    assert.deepEqual(
      [...list.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1)),
      want,
      'the receiver holds exactly the served list',
    );
    // Successful deliveries chain: each starts where the previous ended, versions strictly up.
    const ok = deliveries.filter((d) => d.answered === 200);
    for (let k = 1; k < ok.length; k++) {
      assert.equal(ok[k]!.fromVersion, ok[k - 1]!.toVersion, 'no gap');
      assert.ok(ok[k]!.toVersion > ok[k - 1]!.toVersion, 'never an older diff after a newer one');
    }
    return ok;
  }

  test('rollback publishes a new, higher version with the old entries, says what it restores, and it is pushed', async () => {
    const v0 = await served();
    // A run over more labels changes the list.
    const fraud = s.world.truth.filter((a) => a.fraud).map((a) => a.id);
    await createLabelRepository(s.driver, s.config.neo4j).append(
      fraud.map((accountId) => ({ accountId, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    const run = await s.recompute();
    assert.equal(run.publication, 'served');
    const v1 = await served();
    assert.ok(v1 > v0);
    assert.notDeepEqual(await blacklist().entries(v1), await blacklist().entries(v0));
    await caughtUp();

    const res = await admin('/v1/blacklist/rollback', { version: v0 });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.ok(r.publishedVersion > v1, 'versions only go up');
    assert.equal(r.servedVersion, r.publishedVersion);
    assert.equal(r.pinnedVersion, r.publishedVersion);
    assert.equal(r.previousVersion, v1);
    const record = (await blacklist().get(r.publishedVersion))!;
    assert.equal(record.source, 'rollback');
    assert.equal(record.restores, v0);
    assert.deepEqual(await blacklist().entries(r.publishedVersion), await blacklist().entries(v0));
    const ok = await caughtUp();
    assert.deepEqual(
      ok.map((d) => [d.fromVersion, d.toVersion]),
      [
        [v0, v1],
        [v1, r.publishedVersion],
      ],
    );
    // The API's version view says it too.
    const view = (
      await app.inject({ method: 'GET', url: `/v1/blacklist/versions/${r.publishedVersion}`, headers: bearer(keys.gateway) })
    ).json();
    assert.equal(view.restores, v0);
    assert.equal((await admin('/v1/blacklist/pin')).statusCode, 200);
  });

  test('approving a held version re-applies the overrides made since it was built', async () => {
    // Investigators label more accounts, so the next run's list differs; pin the served list: that run is held.
    await createLabelRepository(s.driver, s.config.neo4j).append(
      s.world.truth
        .filter((a) => a.victim)
        .slice(0, 5)
        .map((a) => ({ accountId: a.id, label: 'fraud' as const, note: 'approve test', source: 'test', createdBy: 'test' })),
    );
    assert.equal((await admin('/v1/blacklist/pin', { version: await served() })).statusCode, 200);
    const run = await s.recompute();
    assert.equal(run.publication, 'held');
    const heldVersion = run.blacklistVersion!;
    assert.equal((await admin('/v1/blacklist/pin')).statusCode, 200);
    // An investigator excludes a listed merchant while the version waits.
    const merchant = (await blacklist().entries(heldVersion)).find((e) => e.reasons[0] !== 'MANUAL_INCLUDE')!.accountId;
    const excluded = await override(merchant, 'exclude');
    assert.equal(excluded.statusCode, 201, excluded.body);
    assert.equal(excluded.json().published.status, 'published');
    const afterOverride = await served();

    const res = await admin(`/v1/blacklist/versions/${heldVersion}/approve`);
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.ok(r.publishedVersion > afterOverride, 'a new version, above the override’s');
    assert.equal(r.servedVersion, r.publishedVersion);
    const record = (await blacklist().get(r.publishedVersion))!;
    assert.deepEqual([record.source, record.restores], ['approve', heldVersion]);
    assert.equal((await blacklist().get(heldVersion))!.status, 'superseded', 'the held version no longer waits');
    const entries = await blacklist().entries(r.publishedVersion);
    assert.ok(!entries.some((e) => e.accountId === merchant), 'the excluded merchant stays off the list');
    assert.deepEqual(
      entries,
      (await blacklist().entries(heldVersion)).filter((e) => e.accountId !== merchant),
    );
    await caughtUp();
    await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${merchant}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('a receiver that fails its first deliveries ends with every change, in version order, with no gap', async () => {
    failuresLeft = 4;
    const [a, b, c] = outsiders();
    for (const id of [a!, b!, c!]) {
      assert.equal((await override(id, 'include')).statusCode, 201);
      await sleep(60);
    }
    const ok = await caughtUp();
    assert.ok(deliveries.filter((d) => d.answered === 503).length === 4);
    for (const id of [a!, b!, c!]) assert.ok(list.has(id));
    assert.ok(ok.length >= 1);
    // Every attempt of one change carries the same delivery id.
    const failedIds = new Set(deliveries.filter((d) => d.answered === 503).map((d) => `${d.fromVersion}-${d.toVersion}`));
    for (const d of deliveries) assert.equal(d.deliveryId, `${webhookId}-v${d.fromVersion ?? 0}-v${d.toVersion}`);
    assert.ok(failedIds.size >= 1);
    for (const id of [a!, b!, c!])
      await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${id}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('a receiver down across three versions gets one coalesced diff when it is back', async () => {
    const before = await served();
    down = true;
    const [, , , d, e, f] = outsiders();
    for (const id of [d!, e!, f!]) assert.equal((await override(id, 'include')).statusCode, 201);
    const after = await served();
    assert.ok(after >= before + 3);
    for (let k = 0; k < 100 && deliveries.length === 0; k++) await sleep(50);
    down = false;
    const ok = await caughtUp();
    assert.deepEqual(
      ok.map((x) => [x.fromVersion, x.toVersion]),
      [[before, after]],
      'one diff from the acknowledged version to the served one',
    );
    for (const id of [d!, e!, f!])
      await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${id}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('pause holds deliveries back (lag in /metrics); resume sends one diff', async () => {
    const paused = await app.inject({ method: 'POST', url: `/v1/webhooks/${webhookId}/pause`, headers: bearer(keys.admin) });
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json().webhook.paused, true);
    const before = await served();
    const [, , , , , , g, h] = outsiders();
    // Two versions while paused, far enough apart that a delivery of the first would have arrived:
    // resumed, the receiver gets one diff over both, not the first and then the second.
    assert.equal((await override(g!, 'include')).statusCode, 201);
    await sleep(1500);
    assert.equal((await override(h!, 'include')).statusCode, 201);
    await sleep(500);
    assert.equal(deliveries.length, 0);
    assert.equal((await served()) - before, 2, 'two versions published while paused');
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(keys.admin) });
    assert.match(metrics.body, new RegExp(`acctnet_webhook_lag_versions\\{webhook="${webhookId}"\\} ${(await served()) - before}`));
    const resumed = await app.inject({ method: 'POST', url: `/v1/webhooks/${webhookId}/resume`, headers: bearer(keys.admin) });
    assert.equal(resumed.statusCode, 200, resumed.body);
    const ok = await caughtUp();
    assert.deepEqual(
      ok.map((x) => [x.fromVersion, x.toVersion]),
      [[before, await served()]],
    );
    await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${g}`, headers: bearer(keys.investigator) });
    await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${h}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('two publications racing (overrides during a recompute and its switch) both end in the served list', async () => {
    const racers = outsiders().slice(10, 40);
    let done = false;
    const run = s.recompute().finally(() => (done = true));
    const answers: Array<{ status: number; published: { status: string }; duringRun: boolean }> = [];
    for (const id of racers) {
      const res = await override(id, 'include');
      answers.push({ status: res.statusCode, published: res.json().published, duringRun: !done });
      if (done) break;
      await sleep(40);
    }
    const summary = await run;
    assert.equal(summary.status, 'succeeded');
    for (const a of answers) assert.equal(a.status, 201);
    assert.ok(
      answers.filter((a) => a.duringRun).length >= 2,
      `overrides answered while the run was going: ${answers.filter((a) => a.duringRun).length} (pending behind its lock: ${answers.filter((a) => a.published.status === 'pending').length})`,
    );
    const included = racers.slice(0, answers.length);
    // Pending publications are done by the holder before it lets go of the lock.
    const lock = await publicationLock(s.rt.publishDeps(), async () => true);
    assert.ok(lock);
    const state = await blacklist().state();
    const entries = await blacklist().entries(state.servedVersion!);
    for (const id of included)
      assert.ok(
        entries.some((e) => e.accountId === id && e.reasons[0] === 'MANUAL_INCLUDE'),
        `${id} listed`,
      );
    assert.equal((await blacklist().get(state.servedVersion!))!.runId, summary.runId, "the served list is the new run's");
    await caughtUp();
    for (const id of included)
      await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${id}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('a lock holder that stalls past its lease cannot write', async () => {
    const deps = s.rt.publishDeps();
    const before = await served();
    const versions = await blacklist().list(Number.MAX_SAFE_INTEGER, 50);
    const older = versions.at(-1)!; // the first run's list: different from the served one since labels changed
    const [, , , , , , , h] = outsiders();
    const other = (async () => {
      await sleep(300);
      await blacklist().setOverride({ accountId: h!, action: 'include', reason: 'stall test', createdBy: 'test' });
      return publishVersion(deps, { source: 'override' }, { waitMs: 5_000 });
    })();
    await publicationLock(
      deps,
      async (fence) => {
        // The stall: the lease (200 ms, never renewed) lapses; another publication takes over.
        const newer = await other;
        assert.equal(newer.publication, 'served');
        await assert.rejects(publishHolding(deps, fence, { source: 'rollback', version: older.version }), Conflict);
      },
      { ttlMs: 200, renew: false },
    );
    const state = await blacklist().state();
    assert.equal(state.servedVersion, (await other).version, "the stale holder's rollback was not served");
    assert.equal(state.pinnedVersion, null);
    await blacklist().deleteOverride(h!);
    await publishVersion(deps, { source: 'override' });
    await caughtUp();
  });

  test('an override whose publication waits answers 201 with its committed audit entry and "pending"; it is published', async () => {
    const deps = s.rt.publishDeps();
    const [, , , , , , , , i] = outsiders();
    let answered: { statusCode: number; json(): Record<string, any> } | undefined;
    // Another publication holds the lock longer than an override's request waits (5 s).
    await publicationLock(deps, async (fence) => {
      answered = await override(i!, 'include');
      await publishHolding(deps, fence, { source: 'override' });
    });
    assert.equal(answered!.statusCode, 201);
    const body = answered!.json();
    assert.equal(body.audit.action, 'override.set');
    assert.equal(body.override.accountId, i);
    assert.deepEqual([body.published.status, body.published.version], ['pending', null]);
    assert.match(body.published.reason, /another publication/);
    const entries = await blacklist().entries(await served());
    assert.ok(
      entries.some((e) => e.accountId === i),
      'the holder published the pending override',
    );
    await caughtUp();
    await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${i}`, headers: bearer(keys.investigator) });
    await caughtUp();
  });

  test('retention keeps every version a webhook has not acknowledged past; a receiver whose base is gone gets the full-list link', async () => {
    const deps = s.rt.publishDeps();
    const base = await served();
    assert.equal(
      (await app.inject({ method: 'POST', url: `/v1/webhooks/${webhookId}/pause`, headers: bearer(keys.admin) })).statusCode,
      200,
    );
    const [, , , , , , , , , j] = outsiders();
    assert.equal((await override(j!, 'include')).statusCode, 201);
    const report = await prune({ config: s.config, driver: s.driver }, { keepVersions: 1 });
    assert.ok(report.versionsDeleted.length > 0);
    assert.ok(
      report.versionsDeleted.every((v) => v < base),
      `kept ${base}, the paused webhook's acknowledged version`,
    );
    assert.ok(await blacklist().get(base));
    // Redeliver from a version retention deleted: the receiver is told to pull the full list.
    const gone = report.versionsDeleted[0]!;
    await app.inject({
      method: 'POST',
      url: `/v1/webhooks/${webhookId}/redeliver`,
      headers: bearer(keys.admin),
      payload: { fromVersion: gone },
    });
    await app.inject({ method: 'POST', url: `/v1/webhooks/${webhookId}/resume`, headers: bearer(keys.admin) });
    for (let k = 0; k < 200 && !deliveries.some((d) => d.answered === 200); k++) await sleep(50);
    const last = deliveries.find((d) => d.answered === 200)!;
    assert.deepEqual([last.fromVersion, last.toVersion, last.full], [gone, await served(), true]);
    await blacklist().deleteOverride(j!);
    await publishVersion(deps, { source: 'override' });
  });

  test('a finished run whose publication waits too long tries the publication again, never the analysis', async () => {
    const deps = s.rt.publishDeps();
    const runs = createRunRepository(s.driver, s.config.neo4j);
    const before = (await runs.list(Number.MAX_SAFE_INTEGER, 200)).length;
    let release!: () => void;
    let acquired = false;
    // Another publication holds the lock until the run has given up once.
    const holding = publicationLock(deps, () => {
      acquired = true;
      return new Promise<void>((r) => (release = r));
    });
    for (let k = 0; k < 100 && !acquired; k++) await sleep(10);
    const log = Object.create(testLogger()) as ReturnType<typeof testLogger>;
    let retries = 0;
    log.warn = ((_: unknown, msg?: string) => {
      if (String(msg).includes('trying again')) {
        retries++;
        release();
      }
    }) as typeof log.warn;
    const summary = await runRecompute(
      { config: s.config, driver: s.driver, log, publish: { redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() }, publishWaitMs: 300 },
      { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null, jobId: null },
      () => {},
    );
    await holding;
    assert.equal(retries, 1);
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.publication, 'served');
    assert.equal((await runs.get(summary.runId))!.status, 'succeeded');
    assert.equal((await runs.list(Number.MAX_SAFE_INTEGER, 200)).length, before + 1, 'one run: the analysis ran once');
    assert.equal((await blacklist().state()).servedVersion, summary.blacklistVersion);
  });
});
