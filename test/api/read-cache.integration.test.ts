// The API's read cache against real Neo4j: with the served state reused for a while (as in
// production), a process sees its own labels and publications at once, another process's within
// the TTL, and a new run after the TTL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { int as neo4jInt } from 'neo4j-driver';
import { buildServer } from '../../src/server.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { testLogger } from '../helpers/env.js';

const TTL_MS = 1500;

describe('API read cache (state reused for 1.5 s)', () => {
  let s: AnalysedServices;
  let one: FastifyInstance;
  let other: FastifyInstance;
  let keys: Keys;
  const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url, headers: bearer(keys.investigator) });
  const post = (app: FastifyInstance, url: string, payload: object) =>
    app.inject({ method: 'POST', url, payload, headers: bearer(keys.investigator) });
  const memberLabel = async (app: FastifyInstance, clusterId: string, accountId: string) =>
    (await get(app, `/v1/clusters/${clusterId}`)).json().members.find((m: { accountId: string }) => m.accountId === accountId).label;

  before(async () => {
    s = await openAnalysedServices({ ACCTNET_API_STATE_TTL_MS: String(TTL_MS) }, { accounts: 400, seed: 5 });
    one = await buildTestApp(s);
    other = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await one.close();
    await other.close();
    await s.close();
  });

  test("a process's own label change shows at once; another process's within the TTL", async () => {
    const cluster = (await get(one, '/v1/clusters?limit=1')).json().items[0];
    const detail = (await get(one, `/v1/clusters/${cluster.clusterId}`)).json();
    const member = detail.members.find((m: { label: string | null }) => m.label === null);
    assert.ok(member, 'the riskiest cluster has an unlabelled member');
    assert.equal(await memberLabel(other, cluster.clusterId, member.accountId), null, 'the other process has it cached unlabelled');

    const created = await post(one, '/v1/labels', { accountId: member.accountId, label: 'legit', note: 'cache test' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(await memberLabel(one, cluster.clusterId, member.accountId), 'legit', 'the writing process sees it at once');
    assert.equal((await get(one, `/v1/accounts/${member.accountId}`)).json().labels.current.label, 'legit');

    await new Promise((r) => setTimeout(r, TTL_MS + 100));
    assert.equal(await memberLabel(other, cluster.clusterId, member.accountId), 'legit', 'the other process sees it after the TTL');
  });

  test('an override publishes a version the writing process serves at once', async () => {
    const cluster = (await get(one, '/v1/clusters?sort=size&limit=1')).json().items[0];
    const detail = (await get(one, `/v1/clusters/${cluster.clusterId}`)).json();
    const accountId = detail.members[0].accountId;
    const before = (await get(one, `/v1/accounts/${accountId}`)).json().blacklist;
    const action = before.listed ? 'exclude' : 'include';
    const r = await post(one, '/v1/blacklist/overrides', { accountId, action, reason: 'cache test' });
    assert.equal(r.statusCode, 201, r.body);
    const after = (await get(one, `/v1/accounts/${accountId}`)).json().blacklist;
    assert.equal(after.version, r.json().published.version);
    assert.equal(after.listed, !before.listed);
  });

  test('a gateway asking about a version newer than the cached one is answered from a fresh read, never from the older version', async (t) => {
    const gw = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers: { ...bearer(keys.gateway), ...headers } });
    const old = Number((await gw(other, '/v1/blacklist')).headers['x-blacklist-version']);
    // Another process (a worker, here `one`) serves a new version and pushes it to the gateway.
    const cluster = (await get(one, '/v1/clusters?sort=size&limit=1')).json().items[0];
    const accountId = (await get(one, `/v1/clusters/${cluster.clusterId}`)).json().members[1].accountId;
    const listed = (await get(one, `/v1/accounts/${accountId}`)).json().blacklist.listed;
    const r = await post(one, '/v1/blacklist/overrides', { accountId, action: listed ? 'exclude' : 'include', reason: 'push test' });
    assert.equal(r.statusCode, 201, r.body);
    const pushed = r.json().published.version as number;
    assert.ok(pushed > old);
    if (Number((await gw(other, '/v1/blacklist')).headers['x-blacklist-version']) !== old) {
      t.skip('the other process refreshed its state before the check (slower than the TTL)');
      return;
    }
    // The other process still has the older version cached; the gateway holds the pushed one.
    const since = await gw(other, `/v1/blacklist?since=${pushed}`);
    assert.equal(since.statusCode, 200, since.body);
    assert.deepEqual(since.json(), { fromVersion: pushed, toVersion: pushed, added: [], removed: [] });
    const conditional = await gw(other, '/v1/blacklist', { 'if-none-match': `"v${pushed}-json"` });
    assert.equal(conditional.statusCode, 304, "not the older version's body");
  });

  test('a new run is served after the TTL', async () => {
    const run = await s.recompute();
    await new Promise((r) => setTimeout(r, TTL_MS + 100));
    assert.equal((await get(other, '/v1/clusters?limit=1')).json().runId, run.runId);
    assert.equal((await get(one, '/v1/clusters?limit=1')).json().runId, run.runId);
  });
  test("a gateway's poll answered 304 is not counted by the per-key rate limit; any other request is", async () => {
    const limited = await buildServer({ config: { ...s.config, http: { ...s.config.http, rateLimitPerMinute: 3 } }, runtime: s.rt, logger: testLogger() });
    await limited.ready();
    try {
      const gw = (url: string, headers: Record<string, string> = {}) =>
        limited.inject({ method: 'GET', url, headers: { ...bearer(keys.gateway), ...headers } });
      const full = await gw('/v1/blacklist');
      assert.equal(full.statusCode, 200, full.body);
      const etag = full.headers.etag as string;
      const version = Number(full.headers['x-blacklist-version']);
      for (let i = 0; i < 10; i++) assert.equal((await gw('/v1/blacklist', { 'if-none-match': etag })).statusCode, 304, `poll ${i}`);
      const diffTag = `"v${version}-since-${version}"`;
      for (let i = 0; i < 3; i++) assert.equal((await gw(`/v1/blacklist?since=${version}`, { 'if-none-match': diffTag })).statusCode, 304);
      // Counted: the full pull above, then two more; a poll naming an older version, or asking for
      // another format than its tag's, gets a body and is counted.
      assert.equal((await gw('/v1/blacklist', { 'if-none-match': `"v${version - 1}-json"` })).statusCode, 200);
      assert.equal((await gw('/v1/blacklist?format=csv', { 'if-none-match': etag })).statusCode, 200);
      const refused = await gw('/v1/blacklist');
      assert.equal(refused.statusCode, 429, 'the fourth counted request of the minute');
      assert.equal((await gw('/v1/blacklist?format=csv', { 'if-none-match': etag })).statusCode, 429);
      assert.equal((await gw('/v1/blacklist', { 'if-none-match': etag })).statusCode, 304, 'the conditional poll still answers');
    } finally {
      await limited.close();
    }
  });

  test('a diff asked with ?since= is computed once per process and version pair, then answered from the body cache', async () => {
    const gw = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url, headers: bearer(keys.gateway) });
    const versions = (await gw(one, '/v1/blacklist/versions?limit=100')).json().items as Array<{ version: number; count: number }>;
    const served = Number((await gw(one, '/v1/blacklist')).headers['x-blacklist-version']);
    const old = versions.filter((v) => v.version < served && v.count > 0).at(-1);
    assert.ok(old, 'an older version with entries');
    const first = await gw(one, `/v1/blacklist?since=${old.version}`);
    assert.equal(first.statusCode, 200, first.body);
    // Take away what a second computation would read: the stored diff and the older version's entries.
    const session = s.driver.session();
    try {
      await session.run('MATCH (d:BlacklistDiff {key: $key}) DELETE d', { key: `${old.version}-${served}` });
      await session.run('MATCH (e:BlacklistEntry {version: $version}) DETACH DELETE e', { version: neo4jInt(old.version) });
    } finally {
      await session.close();
    }
    const again = await gw(one, `/v1/blacklist?since=${old.version}`);
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body, 'the same diff, from the body cache');
    // A process that never computed it reads what is left (the test can tell the two apart).
    const fresh = await buildTestApp(s);
    try {
      const recomputed = (await gw(fresh, `/v1/blacklist?since=${old.version}`)).json();
      assert.equal(recomputed.removed.length, 0, 'without the older entries nothing is removed');
      assert.notEqual(JSON.stringify(recomputed), first.body);
    } finally {
      await fresh.close();
    }
  });
  test("a label without a source is `alert` on an account acctnet flagged, else `investigation`", async () => {
    const list = (await one.inject({ method: 'GET', url: '/v1/blacklist', headers: bearer(keys.gateway) })).json().entries as Array<{ accountId: string }>;
    const listed = list[0]!.accountId;
    const onList = new Set(list.map((e) => e.accountId));
    const cluster = (await get(one, '/v1/clusters?sort=size&limit=1')).json().items[0];
    const unlisted = (await get(one, `/v1/clusters/${cluster.clusterId}`)).json().members.find(
      (m: { accountId: string; label: string | null }) => !onList.has(m.accountId) && m.label === null,
    ).accountId as string;
    const label = async (accountId: string, extra: object = {}) => {
      const r = await post(one, '/v1/labels', { accountId, label: 'fraud', ...extra });
      assert.equal(r.statusCode, 201, r.body);
      return r.json().label.source as string;
    };
    assert.equal(await label(listed), 'alert', 'on the served list: acctnet raised it');
    assert.equal(await label(unlisted), 'investigation');
    assert.equal(await label(listed, { label: 'legit', source: 'chargeback' }), 'chargeback', 'a source given is kept');
    const shown = (await get(one, `/v1/accounts/${listed}`)).json().labels.events as Array<{ source: string }>;
    assert.deepEqual(shown.map((l) => l.source).sort(), ['alert', 'chargeback']);
  });
});
