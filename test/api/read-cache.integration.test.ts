// The API's read cache against real Neo4j: with the served state reused for a while (as in
// production), a process sees its own labels and publications at once, another process's within
// the TTL, and a new run after the TTL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';

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
});
