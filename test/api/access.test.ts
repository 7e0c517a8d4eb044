// The full role × route matrix: no key → 401, a role the route does not admit → 403, an admitted
// role → success. The table must name every route the app registers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createKeyRepository, ROLES, type Role } from '../../src/neo4j/repositories/keys.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { handEvidence } from '../helpers/evidence.js';

type Req = Omit<InjectOptions, 'headers'> & { method: InjectOptions['method']; url: string };

interface RouteCase {
  method: string;
  /** The route pattern as registered. */
  route: string;
  /** Roles admitted besides admin; 'public' for routes without authentication. */
  roles: Role[] | 'public';
  /** A fresh, valid request (called once per attempt: mutating routes get fresh resources). */
  make: () => Promise<Req>;
}

describe('access: every route × every role', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  const cases: RouteCase[] = [];

  before(async () => {
    s = await openAnalysedServices({ ACCTNET_RECOMPUTE_RATE_LIMIT_PER_MINUTE: '100' });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    const investigatorHeaders = bearer(keys.investigator);
    const cluster = (await app.inject({ method: 'GET', url: '/v1/clusters?limit=1', headers: investigatorHeaders })).json().items[0]
      .clusterId as string;
    const account = s.world.truth.find((a) => a.kind === 'person')!.id;
    const batch = (
      await app.inject({
        method: 'POST',
        url: '/v1/transactions',
        headers: bearer(keys.ingest),
        payload: [{ tx_id: 'acc-1', from_account: 'X1', to_account: 'X2', amount: '1', timestamp: '2026-01-01' }],
      })
    ).json().batchId as string;
    const labels = createLabelRepository(s.driver, s.config.neo4j);
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    let n = 0;
    const fresh = () => `acc-${++n}-${Date.now()}`;
    const adminPost = async (url: string, payload: unknown) =>
      (await app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(keys.admin) })).json();

    const add = (method: string, route: string, roles: RouteCase['roles'], make: RouteCase['make']) =>
      cases.push({ method, route, roles, make });
    add('GET', '/health', 'public', async () => ({ method: 'GET', url: '/health' }));
    add('GET', '/metrics', ['metrics'], async () => ({ method: 'GET', url: '/metrics' }));
    add('POST', '/v1/transactions', ['ingest'], async () => ({
      method: 'POST',
      url: '/v1/transactions',
      payload: [{ tx_id: fresh(), from_account: 'A', to_account: 'B', amount: '2', timestamp: '2026-01-02' }],
    }));
    add('GET', '/v1/ingest/batches/:id', ['ingest', 'investigator'], async () => ({ method: 'GET', url: `/v1/ingest/batches/${batch}` }));
    add('POST', '/v1/labels', ['investigator'], async () => ({
      method: 'POST',
      url: '/v1/labels',
      payload: { accountId: fresh(), label: 'legit', note: 'access test' },
    }));
    add('DELETE', '/v1/labels/:id', ['investigator'], async () => {
      const [label] = await labels.append([{ accountId: fresh(), label: 'fraud', note: null, source: 'test', createdBy: 'test' }]);
      return { method: 'DELETE', url: `/v1/labels/${label!.id}`, payload: { reason: 'access test' } };
    });
    add('GET', '/v1/accounts/:id/labels', ['investigator'], async () => ({ method: 'GET', url: `/v1/accounts/${account}/labels` }));
    add('GET', '/v1/clusters', ['investigator'], async () => ({ method: 'GET', url: '/v1/clusters?minRisk=0.1&sort=size' }));
    add('GET', '/v1/clusters/:id', ['investigator'], async () => ({ method: 'GET', url: `/v1/clusters/${cluster}` }));
    add('GET', '/v1/accounts', ['investigator'], async () => ({ method: 'GET', url: '/v1/accounts?prefix=AC00' }));
    add('GET', '/v1/accounts/:id', ['investigator'], async () => ({ method: 'GET', url: `/v1/accounts/${account}` }));
    add('GET', '/v1/accounts/:id/neighborhood', ['investigator'], async () => ({
      method: 'GET',
      url: `/v1/accounts/${account}/neighborhood?hops=2&limit=50`,
    }));
    const other = s.world.truth.filter((a) => a.kind === 'person')[1]!.id;
    add('GET', '/v1/accounts/:id/paths', ['investigator'], async () => ({
      method: 'GET',
      url: `/v1/accounts/${account}/paths?to=${other}&hops=2`,
    }));
    add('POST', '/v1/accounts/lookup', ['investigator'], async () => ({
      method: 'POST',
      url: '/v1/accounts/lookup',
      payload: { ids: [account, other] },
    }));
    add('GET', '/v1/cases/schema', ['investigator'], async () => ({ method: 'GET', url: '/v1/cases/schema' }));
    add('GET', '/v1/cases/accounts/:id', ['investigator'], async () => ({ method: 'GET', url: `/v1/cases/accounts/${account}` }));
    add('GET', '/v1/cases/clusters/:id', ['investigator'], async () => ({ method: 'GET', url: `/v1/cases/clusters/${cluster}` }));
    add('GET', '/v1/migrations', ['investigator'], async () => ({ method: 'GET', url: '/v1/migrations' }));
    // A provisional successor per call, as the watch records one, to confirm or reject.
    const provisional = async () => {
      const to = fresh();
      await createSuccessorRepository(s.driver, s.config.neo4j).record(
        {
          from: account,
          to,
          score: 0.8,
          listScore: 0.8,
          fallAt: 0,
          riseAt: 1,
          depth: 1,
          evidence: handEvidence({ gapDays: 0, formerCounterparties: 3, counterpartyOverlap: 0.6 }),
        },
        Date.now(),
      );
      return to;
    };
    for (const decision of ['confirm', 'reject'])
      add('POST', `/v1/migrations/${decision}`, ['investigator'], async () => ({
        method: 'POST',
        url: `/v1/migrations/${decision}`,
        payload: { from: account, to: await provisional() },
      }));
    add('GET', '/v1/review', ['investigator'], async () => ({ method: 'GET', url: '/v1/review' }));
    add('GET', '/v1/runs', ['investigator'], async () => ({ method: 'GET', url: '/v1/runs' }));
    add('GET', '/v1/runs/:id', ['investigator'], async () => ({ method: 'GET', url: `/v1/runs/${s.run.runId}` }));
    // A run made in shadow mode (its record, as a shadow run finishes): the fixture's run is not one.
    let shadowRun: string | null = null;
    add('GET', '/v1/runs/:id/shadow', ['investigator'], async () => {
      if (!shadowRun) {
        const runs = createRunRepository(s.driver, s.config.neo4j);
        const started = await runs.start({ jobId: null, trigger: 'test', requestedBy: 'test', requestedAt: Date.now(), params: {} });
        await runs.finish({
          id: started.id,
          status: 'succeeded',
          finishedAt: Date.now(),
          timings: {},
          counts: {},
          warnings: [],
          asOf: null,
          version: null,
          model: { ...s.run.model, mode: 'shadow', shadow: { listed: 0, added: 0, removed: 0 } },
        });
        shadowRun = started.id;
      }
      return { method: 'GET', url: `/v1/runs/${shadowRun}/shadow` };
    });
    add('POST', '/v1/recomputations', ['investigator'], async () => ({ method: 'POST', url: '/v1/recomputations', payload: {} }));
    add('GET', '/v1/blacklist', ['gateway', 'investigator'], async () => ({ method: 'GET', url: '/v1/blacklist' }));
    add('GET', '/v1/blacklist/versions', ['gateway', 'investigator'], async () => ({ method: 'GET', url: '/v1/blacklist/versions' }));
    add('GET', '/v1/blacklist/versions/:version', ['gateway', 'investigator'], async () => ({
      method: 'GET',
      url: '/v1/blacklist/versions/1',
    }));
    add('GET', '/v1/blacklist/overrides', ['investigator'], async () => ({ method: 'GET', url: '/v1/blacklist/overrides' }));
    add('POST', '/v1/blacklist/overrides', ['investigator'], async () => ({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      payload: { accountId: fresh(), action: 'include', reason: 'access test' },
    }));
    add('DELETE', '/v1/blacklist/overrides/:accountId', ['investigator'], async () => {
      const id = fresh();
      await blacklist.setOverride({ accountId: id, action: 'exclude', reason: 'access test', createdBy: 'test' });
      return { method: 'DELETE', url: `/v1/blacklist/overrides/${id}` };
    });
    // Dual-control requests made by someone else, so every admitted caller is a second person.
    const otherPersonsRequest = async () =>
      (
        await blacklist.requestOverride({
          id: `ovr_${fresh()}`,
          accountId: fresh(),
          action: 'exclude',
          reason: 'access test',
          requestedBy: 'another investigator',
          requestedByKey: 'key_another',
        })
      ).id;
    add('GET', '/v1/blacklist/overrides/pending', ['investigator'], async () => ({
      method: 'GET',
      url: '/v1/blacklist/overrides/pending',
    }));
    add('POST', '/v1/blacklist/overrides/pending/:id/confirm', ['investigator'], async () => ({
      method: 'POST',
      url: `/v1/blacklist/overrides/pending/${await otherPersonsRequest()}/confirm`,
      payload: {},
    }));
    add('POST', '/v1/blacklist/overrides/pending/:id/reject', ['investigator'], async () => ({
      method: 'POST',
      url: `/v1/blacklist/overrides/pending/${await otherPersonsRequest()}/reject`,
      payload: { reason: 'access test' },
    }));
    add('POST', '/v1/blacklist/versions/:version/approve', [], async () => {
      const state = await blacklist.state();
      const version = await blacklist.nextVersionNumber();
      await blacklist.writeVersion({
        version,
        runId: null,
        source: 'recompute',
        generatedAt: Date.now(),
        entries: await blacklist.entries(state.servedVersion!),
        basedOn: state.servedVersion,
        added: 0,
        removed: 0,
      });
      await blacklist.hold(version, { reason: 'access test' });
      return { method: 'POST', url: `/v1/blacklist/versions/${version}/approve` };
    });
    add('POST', '/v1/blacklist/pin', [], async () => ({
      method: 'POST',
      url: '/v1/blacklist/pin',
      payload: { version: (await blacklist.state()).servedVersion },
    }));
    add('DELETE', '/v1/blacklist/pin', [], async () => ({ method: 'DELETE', url: '/v1/blacklist/pin' }));
    add('POST', '/v1/blacklist/rollback', [], async () => ({ method: 'POST', url: '/v1/blacklist/rollback', payload: { version: 1 } }));
    add('POST', '/v1/webhooks', [], async () => ({
      method: 'POST',
      url: '/v1/webhooks',
      payload: { url: 'https://gateway.example.com/acctnet' },
    }));
    add('GET', '/v1/webhooks', [], async () => ({ method: 'GET', url: '/v1/webhooks' }));
    add('DELETE', '/v1/webhooks/:id', [], async () => ({
      method: 'DELETE',
      url: `/v1/webhooks/${(await adminPost('/v1/webhooks', { url: 'https://x.example.com/h' })).webhook.id}`,
    }));
    add('POST', '/v1/webhooks/:id/rotate-secret', [], async () => ({
      method: 'POST',
      url: `/v1/webhooks/${(await adminPost('/v1/webhooks', { url: 'https://y.example.com/h' })).webhook.id}/rotate-secret`,
      payload: {},
    }));
    for (const action of ['pause', 'resume'] as const)
      add('POST', `/v1/webhooks/:id/${action}`, [], async () => ({
        method: 'POST',
        url: `/v1/webhooks/${(await adminPost('/v1/webhooks', { url: 'https://p.example.com/h' })).webhook.id}/${action}`,
      }));
    add('POST', '/v1/webhooks/:id/redeliver', [], async () => ({
      method: 'POST',
      url: `/v1/webhooks/${(await adminPost('/v1/webhooks', { url: 'https://r.example.com/h' })).webhook.id}/redeliver`,
      payload: { fromVersion: 0 },
    }));
    add('GET', '/v1/webhooks/:id/deliveries', [], async () => ({
      method: 'GET',
      url: `/v1/webhooks/${(await adminPost('/v1/webhooks', { url: 'https://z.example.com/h' })).webhook.id}/deliveries`,
    }));
    add('POST', '/v1/keys', [], async () => ({ method: 'POST', url: '/v1/keys', payload: { role: 'gateway', name: 'access test' } }));
    add('GET', '/v1/keys', [], async () => ({ method: 'GET', url: '/v1/keys' }));
    add('DELETE', '/v1/keys/:id', [], async () => ({
      method: 'DELETE',
      url: `/v1/keys/${(await createKeyRepository(s.driver, s.config.neo4j).create('gateway', 'to revoke', 'test')).record.id}`,
    }));
    add('GET', '/v1/audit', ['investigator'], async () => ({ method: 'GET', url: '/v1/audit' }));
    add('GET', '/v1/me', ['investigator', 'ingest', 'gateway'], async () => ({ method: 'GET', url: '/v1/me' }));
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test('the table names every route the app registers (besides /docs, the console and the queue dashboard)', () => {
    const registered = app.routeList
      .filter((r) => !r.url.startsWith('/docs') && !r.url.startsWith('/admin/queues') && !r.url.startsWith('/ui') && r.url !== '/')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    assert.deepEqual(registered, cases.map((c) => `${c.method} ${c.route}`).sort());
    for (const r of app.routeList) assert.notEqual(r.roles, undefined, `${r.method} ${r.url} declares its roles`);
  });

  test('no key → 401; a role not admitted → 403; an admitted role → success', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const label = `${c.method} ${c.route}`;
      if (c.roles !== 'public') {
        const anonymous = await app.inject(await c.make());
        if (anonymous.statusCode !== 401) failures.push(`${label} without a key: ${anonymous.statusCode}`);
        const wrong = await app.inject({ ...(await c.make()), headers: bearer('acctnet_not-a-key') });
        if (wrong.statusCode !== 401) failures.push(`${label} with an unknown key: ${wrong.statusCode}`);
      }
      for (const role of ROLES) {
        const admitted = c.roles === 'public' || role === 'admin' || c.roles.includes(role);
        const res = await app.inject({ ...(await c.make()), headers: bearer(keys[role]) });
        if (admitted && (res.statusCode < 200 || res.statusCode >= 300))
          failures.push(`${label} as ${role}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (!admitted && res.statusCode !== 403) failures.push(`${label} as ${role}: ${res.statusCode} (403 expected)`);
        if (!admitted) assert.match(res.json().message, new RegExp(`role \\(${role}\\)`));
      }
    }
    assert.deepEqual(failures, []);
  });

  test('a revoked key stops working at once in the process that revoked it', async () => {
    const created = (
      await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(keys.admin), payload: { role: 'gateway', name: 'short-lived' } })
    ).json();
    assert.equal((await app.inject({ method: 'GET', url: '/v1/blacklist/versions', headers: bearer(created.key) })).statusCode, 200);
    await app.inject({ method: 'DELETE', url: `/v1/keys/${created.record.id}`, headers: bearer(keys.admin) });
    const after = await app.inject({ method: 'GET', url: '/v1/blacklist/versions', headers: bearer(created.key) });
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().message, 'This API key was revoked');
  });

  test('the queue dashboard takes an admin key as Basic auth; /docs is public', async () => {
    const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`x:${key}`).toString('base64')}` });
    assert.equal((await app.inject({ method: 'GET', url: '/admin/queues' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/admin/queues', headers: basic(keys.investigator) })).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/admin/queues', headers: basic(keys.admin) })).statusCode, 200);
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(spec.statusCode, 200);
    assert.ok(Object.keys(spec.json().paths).includes('/v1/clusters/{id}'));
  });

  test('the console is public static files (its data needs a key); / leads to it', async () => {
    const root = await app.inject({ method: 'GET', url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/ui/');
    // The address without its slash, as the demo printed it until 2026-12-07 (a 404 then).
    const bare = await app.inject({ method: 'GET', url: '/ui' });
    assert.equal(bare.statusCode, 302);
    assert.equal(bare.headers.location, '/ui/');
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    assert.equal(page.statusCode, 200, page.body.slice(0, 200));
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /app\.js/);
    const script = await app.inject({ method: 'GET', url: '/ui/app.js' });
    assert.equal(script.statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/ui/missing.js' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/ui/../package.json' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/clusters' })).statusCode, 401);
  });
});
