// The investigator and gateway routes on an analysed graph (real Neo4j and Redis).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { buildServer } from '../../src/server.js';
import { ROOT, testEnv, testLogger, tmpDir } from '../helpers/env.js';

describe('API routes', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  const get = (url: string, key: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...bearer(key), ...headers } });

  before(async () => {
    s = await openAnalysedServices();
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test('clusters: riskiest first, filters, cursor pages that neither overlap nor skip', async () => {
    const all = (await get('/v1/clusters?limit=500', keys.investigator)).json();
    assert.equal(all.runId, s.run.runId);
    const scores = all.items.map((c: { score: number }) => c.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ clusterId: string }>; nextCursor: string | null } = (
        await get(`/v1/clusters?limit=7${cursor ? `&cursor=${cursor}` : ''}`, keys.investigator)
      ).json();
      paged.push(...page.items.map((c: { clusterId: string }) => c.clusterId));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      paged,
      all.items.map((c: { clusterId: string }) => c.clusterId),
    );
    const risky = (await get('/v1/clusters?minRisk=0.5&limit=500', keys.investigator)).json().items;
    assert.ok(risky.length > 0 && risky.every((c: { score: number }) => c.score >= 0.5));
    const rings = (await get('/v1/clusters?type=ring&limit=500', keys.investigator)).json().items;
    assert.ok(rings.length > 0 && rings.every((c: { type: string }) => c.type === 'ring'), `rings ${rings.length}`);
    const bySize = (await get('/v1/clusters?sort=size&minSize=3&maxSize=10&limit=500', keys.investigator)).json().items;
    assert.ok(bySize.length > 0 && bySize.every((c: { size: number }) => c.size >= 3 && c.size <= 10), `clusters of 3–10 ${bySize.length}`);
    assert.equal((await get('/v1/clusters?cursor=garbage', keys.investigator)).statusCode, 400);
    // Nothing appeared since the only version.
    assert.equal((await get(`/v1/clusters?newSinceVersion=${s.run.blacklistVersion}`, keys.investigator)).json().items.length, 0);
    assert.equal((await get('/v1/clusters?newSinceVersion=999', keys.investigator)).statusCode, 404);
  });

  test('cluster detail: members with roles and metrics, the subgraph, typology, history', async () => {
    const top = (await get('/v1/clusters?limit=1', keys.investigator)).json().items[0];
    const res = await get(`/v1/clusters/${top.clusterId}`, keys.investigator);
    assert.equal(res.statusCode, 200);
    const d = res.json();
    assert.equal(d.cluster.clusterId, top.clusterId);
    assert.equal(d.members.length, top.size);
    assert.equal(d.graph.nodes.length, top.size);
    const ids = new Set(d.graph.nodes.map((n: { id: string }) => n.id));
    assert.ok(d.graph.edges.length > 0);
    for (const e of d.graph.edges) {
      assert.ok(ids.has(e.source) && ids.has(e.target));
      assert.ok(e.count >= 1 && e.amount > 0 && e.first <= e.last);
    }
    assert.ok(Array.isArray(d.cluster.notes) && typeof d.cluster.evidence.density === 'number');
    assert.deepEqual(
      d.history.map((h: { runId: string }) => h.runId),
      [s.run.runId],
    );
    const paged = (await get(`/v1/clusters/${top.clusterId}?pageSize=2&page=1`, keys.investigator)).json();
    assert.equal(paged.members.length, Math.min(2, top.size - 2));
    assert.equal(paged.page.pages, Math.ceil(top.size / 2));
    assert.equal((await get('/v1/clusters/C999999', keys.investigator)).statusCode, 404);
    assert.equal((await get('/v1/clusters/not-an-id', keys.investigator)).statusCode, 400);
  });

  test('account detail, search and neighbourhood', async () => {
    const listed = (await get('/v1/blacklist', keys.gateway)).json().entries[0];
    const a = (await get(`/v1/accounts/${listed.accountId}`, keys.investigator)).json();
    assert.equal(a.accountId, listed.accountId);
    assert.equal(a.analysed, true);
    assert.equal(a.blacklist.listed, true);
    assert.deepEqual(a.blacklist.entry.reasons, listed.reasons);
    assert.ok(a.timeline.buckets.length > 20);
    assert.ok(a.timeline.buckets.reduce((x: number, b: { transfers: number }) => x + b.transfers, 0) > 0);
    assert.ok(a.topCounterparties.length > 0);
    assert.equal(typeof a.metrics.pagerank, 'number');
    assert.equal((await get('/v1/accounts/NO-SUCH-ACCOUNT', keys.investigator)).statusCode, 404);

    const search = (await get(`/v1/accounts?prefix=${listed.accountId.slice(0, 5)}&limit=3`, keys.investigator)).json();
    assert.ok(search.items.every((x: { accountId: string }) => x.accountId.startsWith(listed.accountId.slice(0, 5))));
    assert.ok(search.nextCursor);

    const hood = (await get(`/v1/accounts/${listed.accountId}/neighborhood?hops=2&limit=10`, keys.investigator)).json();
    assert.ok(hood.nodes.length <= 10);
    assert.equal(hood.nodes[0].id, listed.accountId);
    assert.ok(hood.nodes.some((n: { hop: number }) => n.hop === 1));
    assert.equal((await get(`/v1/accounts/${listed.accountId}/neighborhood?hops=4`, keys.investigator)).statusCode, 400);
  });

  test('migrations: filters by score and cluster; the account shows its predecessor with evidence', async () => {
    const all = (await get('/v1/migrations?limit=500', keys.investigator)).json().items;
    assert.ok(all.length > 0, 'the world plants migrations');
    // Paged two at a time, the same links in the same order: none repeated, none skipped.
    const paged: Array<{ from: string; to: string }> = [];
    for (let cursor = '', pages = 0; pages < 1000; pages++) {
      const page = (await get(`/v1/migrations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, keys.investigator)).json();
      paged.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.deepEqual(
      paged.map((x) => `${x.from}|${x.to}`),
      (all as Array<{ from: string; to: string }>).map((x) => `${x.from}|${x.to}`),
    );
    const m = all[0];
    assert.ok(m.score >= 0.5 && m.evidence.sharedCounterparties >= 0);
    // The score filter at the links' own median: exactly the links at or above it.
    const scores = (all as Array<{ score: number }>).map((x) => x.score).sort((a, b) => a - b);
    const cut = scores[Math.floor(scores.length / 2)]!;
    const strong = (await get(`/v1/migrations?minScore=${cut}&limit=500`, keys.investigator)).json().items;
    assert.ok(strong.every((x: { score: number }) => x.score >= cut));
    assert.equal(strong.length, scores.filter((x) => x >= cut).length, `links ≥ ${cut}`);
    const to = (await get(`/v1/accounts/${m.to}`, keys.investigator)).json();
    assert.deepEqual(
      to.migrations.predecessors.map((p: { from: string }) => p.from),
      [m.from],
    );
    assert.ok(m.detectedAt, 'a confirmed link was detected when its run finished');
    assert.equal(to.migrations.predecessors[0].detectedAt, m.detectedAt, 'the account shows the same time');
    // The cluster filter, on a link whose successor is in a cluster.
    let clustered: { to: string; clusterId: string } | undefined;
    for (const x of all as Array<{ to: string }>) {
      const clusterId = (await get(`/v1/accounts/${x.to}`, keys.investigator)).json().clusterId as string | null;
      if (clusterId) {
        clustered = { to: x.to, clusterId };
        break;
      }
    }
    assert.ok(clustered, 'some successor is in a cluster');
    const inCluster = (await get(`/v1/migrations?clusterId=${clustered.clusterId}&limit=500`, keys.investigator)).json().items;
    assert.ok(inCluster.some((x: { to: string }) => x.to === clustered.to));
    assert.ok(inCluster.length < all.length || all.length === 1, 'the filter leaves out links of other clusters');
  });

  test('labels: created and retracted with audit entries; the latest non-retracted label wins', async () => {
    const acct = s.world.truth.find((x) => x.kind === 'person')!.id;
    const first = (
      await app.inject({
        method: 'POST',
        url: '/v1/labels',
        headers: bearer(keys.investigator),
        payload: { accountId: acct, label: 'fraud', note: 'chargebacks' },
      })
    ).json();
    assert.equal(first.audit.action, 'label.create');
    assert.equal(first.audit.actor.role, 'investigator');
    await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: bearer(keys.investigator),
      payload: { accountId: acct, label: 'legit', note: 'cleared' },
    });
    const second = (await get(`/v1/accounts/${acct}/labels`, keys.investigator)).json();
    assert.equal(second.current.label, 'legit');
    // Bodies of routes that set no limit of their own stop at 16 KB (docs/api.md, "Limits"), not at
    // the 5 MB of ACCTNET_BODY_LIMIT_BYTES (recomputations sets none).
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/recomputations',
      headers: bearer(keys.investigator),
      payload: { note: 'x'.repeat(20_000) },
    });
    assert.equal(huge.statusCode, 413, huge.body);
    const retracted = await app.inject({
      method: 'DELETE',
      url: `/v1/labels/${second.current.id}`,
      headers: bearer(keys.investigator),
      payload: { reason: 'wrong account' },
    });
    assert.equal(retracted.statusCode, 200);
    assert.equal(retracted.json().label.retractReason, 'wrong account');
    assert.equal(retracted.json().audit.action, 'label.retract');
    assert.equal((await get(`/v1/accounts/${acct}/labels`, keys.investigator)).json().current.label, 'fraud');
    assert.equal(
      (
        await app.inject({
          method: 'DELETE',
          url: '/v1/labels/lbl_00000000-0000-0000-0000-000000000000',
          headers: bearer(keys.investigator),
          payload: { reason: 'x' },
        })
      ).statusCode,
      404,
    );
  });

  test('an override publishes a new served version within 10 s; a forced entry has clusterId null and MANUAL_INCLUDE', async () => {
    const before = (await get('/v1/blacklist/versions', keys.gateway)).json().servedVersion;
    const outsider = s.world.truth.find((x) => x.kind === 'person' && !x.fraud)!.id;
    const started = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: outsider, action: 'include', reason: 'confirmed mule' },
    });
    const took = Date.now() - started;
    assert.equal(res.statusCode, 201, res.body);
    assert.ok(took < 10_000, `published in ${took} ms`);
    const body = res.json();
    assert.equal(body.audit.action, 'override.set');
    assert.equal(body.published.previous, before);
    const list = (await get('/v1/blacklist', keys.gateway)).json();
    assert.equal(list.version, body.published.version);
    assert.deepEqual(
      list.entries.find((e: { accountId: string }) => e.accountId === outsider),
      { accountId: outsider, clusterId: null, score: 1, reasons: ['MANUAL_INCLUDE'] },
    );
    const removed = await app.inject({ method: 'DELETE', url: `/v1/blacklist/overrides/${outsider}`, headers: bearer(keys.investigator) });
    assert.equal(removed.statusCode, 200);
    assert.ok(!(await get('/v1/blacklist', keys.gateway)).json().entries.some((e: { accountId: string }) => e.accountId === outsider));
  });

  test('gateway: ETag per version and format, 304, CSV by Accept, count and SHA-256 headers, since= diffs', async () => {
    const json = await get('/v1/blacklist', keys.gateway);
    const version = Number(json.headers['x-blacklist-version']);
    assert.equal(json.headers.etag, `"v${version}-json"`);
    assert.equal(json.headers.vary, 'Accept');
    assert.equal(json.headers['x-blacklist-sha256'], createHash('sha256').update(json.rawPayload).digest('hex'));
    assert.equal(Number(json.headers['x-blacklist-count']), json.json().entries.length);
    const csv = await get('/v1/blacklist', keys.gateway, { accept: 'text/csv' });
    assert.equal(csv.headers.etag, `"v${version}-csv"`);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.equal(csv.body.split('\n')[0], 'account_id,cluster_id,score,reasons');
    assert.equal(csv.headers['x-blacklist-sha256'], createHash('sha256').update(csv.rawPayload).digest('hex'));
    assert.equal((await get('/v1/blacklist?format=csv', keys.gateway)).headers.etag, `"v${version}-csv"`);
    // `acctnet blacklist export --out` writes exactly what gateways get (it hashes to the header),
    // replacing an older file whole.
    const out = path.join(tmpDir('export'), 'list.json');
    fs.writeFileSync(out, 'an older, longer file '.repeat(1000));
    const exported = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin', 'acctnet.js'), 'blacklist', 'export', '--format', 'json', '--version', String(version), '--out', out],
      {
        env: testEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(exported.status, 0, exported.stderr);
    assert.equal(createHash('sha256').update(fs.readFileSync(out)).digest('hex'), json.headers['x-blacklist-sha256']);
    // `acctnet blacklist versions` shows the stored hashes to check such a file against (docs/outputs.md).
    const versions = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'blacklist', 'versions', '--limit', '50'], {
      env: testEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(versions.status, 0, versions.stderr);
    const line = versions.stdout.split('\n').find((l) => l.startsWith(`v${version} `));
    assert.ok(line?.includes(`sha256 json=${json.headers['x-blacklist-sha256']} csv=${csv.headers['x-blacklist-sha256']}`), line);
    // "added" is an upsert (new or changed entries: docs/api.md): the line says so.
    assert.match(line!, / entries {2}\+\d+ new or changed, -\d+ removed /);
    const notModified = await get('/v1/blacklist', keys.gateway, { 'if-none-match': `"v${version}-json"` });
    assert.equal(notModified.statusCode, 304);
    // No body, and no header announcing one (a strict HTTP client would wait for it).
    assert.equal(notModified.body, '');
    assert.equal(notModified.headers['content-length'], undefined);
    assert.equal(notModified.headers['content-type'], undefined);
    assert.equal((await get('/v1/blacklist', keys.gateway, { 'if-none-match': `"v${version}-csv"` })).statusCode, 200);
    assert.equal(
      (await get('/v1/blacklist', keys.gateway, { accept: 'text/csv', 'if-none-match': `"v${version - 1}-csv"` })).statusCode,
      200,
    );

    const none = (await get(`/v1/blacklist?since=${version}`, keys.gateway)).json();
    assert.deepEqual(none, { fromVersion: version, toVersion: version, added: [], removed: [] });
    const fromScratch = (await get('/v1/blacklist?since=0', keys.gateway)).json();
    assert.equal(fromScratch.added.length, json.json().entries.length);
    const older = (await get('/v1/blacklist/versions?limit=100', keys.gateway)).json().items.at(-1).version;
    const diff = (await get(`/v1/blacklist?since=${older}`, keys.gateway)).json();
    assert.equal(diff.fromVersion, older);
    assert.equal(diff.toVersion, version);
    assert.equal((await get(`/v1/blacklist?since=${version + 5}`, keys.gateway)).statusCode, 400);
    // A diff is JSON: asking for it as CSV is refused, not answered in JSON anyway.
    const csvDiff = await get(`/v1/blacklist?since=0&format=csv`, keys.gateway);
    assert.equal(csvDiff.statusCode, 400, csvDiff.body);
    assert.match(csvDiff.json().message, /since= answers a JSON diff/);
    // The same refusal when CSV is asked for by Accept alone (it answered JSON until 2026-12-07).
    const acceptCsvDiff = await get(`/v1/blacklist?since=0`, keys.gateway, { accept: 'text/csv' });
    assert.equal(acceptCsvDiff.statusCode, 400, acceptCsvDiff.body);
    assert.equal(acceptCsvDiff.json().message, csvDiff.json().message);
    assert.match(acceptCsvDiff.json().message, /Accept: text\/csv/);
    // An Accept that admits JSON too gets the diff; format=json wins over the header, as for the list.
    for (const [url, accept] of [
      ['/v1/blacklist?since=0', 'text/csv, application/json;q=0.5'],
      ['/v1/blacklist?since=0', 'text/csv, */*;q=0.1'],
      ['/v1/blacklist?since=0&format=json', 'text/csv'],
    ] as const) {
      const ok = await get(url, keys.gateway, { accept });
      assert.equal(ok.statusCode, 200, `${url} with Accept ${accept}: ${ok.body}`);
      assert.equal(ok.json().fromVersion, 0);
    }
    assert.equal((await get(`/v1/blacklist?since=0`, keys.gateway, { accept: 'text/csv, application/json;q=0' })).statusCode, 400);
  });

  test('recompute requests are coalesced and audited; runs are listed with step timings', async () => {
    const a = await app.inject({ method: 'POST', url: '/v1/recomputations', headers: bearer(keys.investigator), payload: {} });
    const b = await app.inject({ method: 'POST', url: '/v1/recomputations', headers: bearer(keys.investigator), payload: {} });
    assert.equal(a.statusCode, 202);
    assert.equal(b.json().jobId, a.json().jobId);
    assert.equal(b.json().coalesced, true);
    // A full reload is its own request (it does not join the waiting incremental one) and reaches the job.
    const full = await app.inject({
      method: 'POST',
      url: '/v1/recomputations',
      headers: bearer(keys.investigator),
      payload: { full: true },
    });
    assert.equal(full.statusCode, 202);
    assert.notEqual(full.json().jobId, a.json().jobId);
    assert.equal(full.json().coalesced, false);
    assert.equal((await app.runtime.recomputeQueue().getJob(full.json().jobId))?.data.full, true);
    assert.equal(full.json().audit.details.full, true);
    const runs = (await get('/v1/runs', keys.investigator)).json().items;
    assert.equal(runs[0].id, s.run.runId);
    assert.equal(typeof runs[0].timings.communities, 'number');
    assert.equal((await get('/v1/runs/run-999', keys.investigator)).statusCode, 404);
  });

  test('audit: investigators see their own entries, admins everyone', async () => {
    const mine = (await get('/v1/audit', keys.investigator)).json().items;
    assert.ok(mine.length > 0 && mine.every((e: { actor: { role: string } }) => e.actor.role === 'investigator'));
    await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(keys.admin), payload: { role: 'gateway', name: 'audit test' } });
    const all = (await get('/v1/audit?limit=500', keys.admin)).json().items;
    assert.ok(all.some((e: { action: string }) => e.action === 'key.create'));
    assert.ok(
      !(await get('/v1/audit?limit=500', keys.investigator)).json().items.some((e: { action: string }) => e.action === 'key.create'),
    );
    // Asking for another key's entries is refused, not answered with one's own.
    const adminKeyId = all.find((e: { action: string }) => e.action === 'key.create').actor.keyId as string;
    const other = await get(`/v1/audit?actorKeyId=${encodeURIComponent(adminKeyId)}`, keys.investigator);
    assert.equal(other.statusCode, 403, other.body);
    assert.equal((await get(`/v1/audit?actorKeyId=${encodeURIComponent(adminKeyId)}`, keys.admin)).statusCode, 200);
  });

  test('metrics and health', async () => {
    const metrics = await get('/metrics', keys.admin);
    assert.equal(metrics.statusCode, 200);
    for (const name of [
      'acctnet_http_request_duration_seconds',
      'acctnet_queue_jobs',
      'acctnet_ingest_rows',
      'acctnet_blacklist_served_version',
      'acctnet_recompute_last_duration_seconds',
    ]) {
      assert.match(metrics.body, new RegExp(`^${name}`, 'm'));
    }
    const health = (await app.inject({ method: 'GET', url: '/health' })).json();
    assert.equal(health.status, 'ok');
  });

  test('a 5xx answers with a generic message and the request id, never internals', async () => {
    const server = await buildServer({
      config: s.config,
      runtime: s.rt,
      logger: testLogger(),
      extra: [
        async (instance) => {
          instance.get('/v1/explode', { config: { roles: ['investigator'] } }, async () => {
            throw new Error('Neo.ClientError.Secret: password=hunter2 at /srv/acctnet/src/x.ts:12');
          });
        },
      ],
    });
    try {
      const res = await server.inject({
        method: 'GET',
        url: '/v1/explode',
        headers: { ...bearer(keys.investigator), 'x-request-id': 'req-42' },
      });
      assert.equal(res.statusCode, 500);
      // acctnet's own id is the request id; the client's is kept beside it, never instead of it.
      const ours = res.headers['x-request-id'] as string;
      assert.match(ours, /^[0-9a-f-]{36}$/);
      assert.equal(res.headers['x-client-request-id'], 'req-42');
      assert.deepEqual(res.json(), {
        statusCode: 500,
        error: 'Internal Server Error',
        message: `Internal error; it was logged with request id ${ours}; your x-request-id req-42`,
      });
      assert.ok(!res.body.includes('hunter2') && !res.body.includes('.ts'));
    } finally {
      await server.close();
    }
  });
});
