// The investigator console's API: money paths, case export, pasted-list lookup, reasons in words
// (real Neo4j and Redis, an analysed seeded world plus a planted chain).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildServer } from '../../src/server.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { testLogger } from '../helpers/env.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { seedTransfers } from '../helpers/seed.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const DAY = 86_400_000;

describe('investigator API: paths, cases, lookup, reasons in words', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  let asOf = 0;
  const get = (url: string, key: string) => app.inject({ method: 'GET', url, headers: bearer(key) });
  /** A wire transfer in the base currency from a row [txId, from, to, amount, at]. */
  const wire = ([txId, from, to, amount, at]: Array<string | number>) => ({
    txId: String(txId),
    from: String(from),
    to: String(to),
    amount: String(amount),
    currency: s.config.analysis.baseCurrency,
    at: Number(at),
    channel: 'wire',
  });

  before(async () => {
    s = await openAnalysedServices();
    app = await buildTestApp(s);
    keys = await createKeys(s);
    asOf = Date.parse((await get('/v1/runs?limit=1', keys.admin)).json().items[0].asOf);
    const t = (days: number) => asOf - days * DAY;
    // A planted chain A → B → C → D in time order; a stronger route A → X → D whose second transfer
    // left X before the money arrived (not a path); a weaker route A → E → D.
    await seedTransfers(
      s.driver,
      s.config,
      [
        ['pl-1', 'PLANT-A', 'PLANT-B', '10000.00', t(10)],
        ['pl-2', 'PLANT-B', 'PLANT-C', '9500.00', t(9)],
        ['pl-3', 'PLANT-C', 'PLANT-D', '9000.00', t(8)],
        ['pl-4', 'PLANT-A', 'PLANT-X', '20000.00', t(10)],
        ['pl-5', 'PLANT-X', 'PLANT-D', '20000.00', t(12)],
        ['pl-6', 'PLANT-A', 'PLANT-E', '3000.00', t(10)],
        ['pl-7', 'PLANT-E', 'PLANT-D', '2000.00', t(9)],
        ['pl-8', 'PLANT-C', 'PLANT-F', '50.00', t(7)],
      ].map(wire),
      'plant',
    );
  });
  after(async () => {
    await app?.close();
    await s?.close();
  });

  test('paths: the strongest time-respecting paths, with dates, strongest first', async () => {
    const res = await get('/v1/accounts/PLANT-A/paths?to=PLANT-D&hops=4&paths=5', keys.investigator);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(
      body.paths.map((p: { accounts: string[] }) => p.accounts),
      [
        ['PLANT-A', 'PLANT-B', 'PLANT-C', 'PLANT-D'],
        ['PLANT-A', 'PLANT-E', 'PLANT-D'],
      ],
      'the route through X leaves X before the money arrived: not a path',
    );
    assert.equal(body.paths[0].strength, 9000);
    assert.equal(body.paths[1].strength, 2000);
    const dates = body.paths[0].transfers.map((t: { at: string }) => Date.parse(t.at));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => a - b),
    );
    assert.deepEqual(
      body.paths[0].transfers.map((t: { txId: string; amount: number }) => [t.txId, t.amount]),
      [
        ['pl-1', 10000],
        ['pl-2', 9500],
        ['pl-3', 9000],
      ],
    );
    assert.deepEqual(body.truncatedBy, []);
    assert.equal(body.truncated, false);
    assert.deepEqual(body.accounts.map((a: { accountId: string }) => a.accountId).sort(), [
      'PLANT-A',
      'PLANT-B',
      'PLANT-C',
      'PLANT-D',
      'PLANT-E',
    ]);
    // Bounds: two hops only reach D through E; one path asked, one given.
    const short = (await get('/v1/accounts/PLANT-A/paths?to=PLANT-D&hops=2', keys.investigator)).json();
    assert.deepEqual(
      short.paths.map((p: { accounts: string[] }) => p.accounts),
      [['PLANT-A', 'PLANT-E', 'PLANT-D']],
    );
    assert.equal((await get('/v1/accounts/PLANT-A/paths?to=PLANT-D&paths=1', keys.investigator)).json().paths.length, 1);
    // A window that ends before C paid D leaves only the route through E.
    const early = (
      await get(`/v1/accounts/PLANT-A/paths?to=PLANT-D&until=${new Date(asOf - 8.5 * DAY).toISOString()}`, keys.investigator)
    ).json();
    assert.deepEqual(
      early.paths.map((p: { accounts: string[] }) => p.accounts),
      [['PLANT-A', 'PLANT-E', 'PLANT-D']],
    );
    // Money does not flow backwards.
    assert.deepEqual((await get('/v1/accounts/PLANT-D/paths?to=PLANT-A', keys.investigator)).json().paths, []);
  });

  test('paths never pass through a hub (an account the served run made one), though both sides reach it', async () => {
    const run = (await get('/v1/runs?limit=1', keys.admin)).json().items[0].id as string;
    const hub = (
      await s.driver.executeQuery("MATCH (r:AccountResult {runId: $run}) WHERE r.role = 'hub' RETURN r.accountId AS id LIMIT 1", { run })
    ).records[0]!.get('id') as string;
    await seedTransfers(
      s.driver,
      s.config,
      [
        ['hb-1', 'HUBPATH-A', hub, '700.00', asOf - 6 * DAY],
        ['hb-2', hub, 'HUBPATH-D', '650.00', asOf - 5 * DAY],
      ].map(wire),
      'hubpath',
    );
    const res = await get('/v1/accounts/HUBPATH-A/paths?to=HUBPATH-D&hops=2', keys.investigator);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().paths, [], `no path through the hub ${hub}`);
  });

  test('paths: same auth as the neighbourhood, bounded, bad input answered 400/404 with a message', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v1/accounts/PLANT-A/paths?to=PLANT-D' })).statusCode, 401);
    assert.equal((await get('/v1/accounts/PLANT-A/paths?to=PLANT-D', keys.gateway)).statusCode, 403);
    assert.equal((await get('/v1/accounts/PLANT-A/paths?to=PLANT-D', keys.ingest)).statusCode, 403);
    for (const [query, pattern] of [
      ['', /to/],
      ['to=PLANT-D&hops=7', /hops/],
      ['to=PLANT-D&hops=0', /hops/],
      ['to=PLANT-D&paths=11', /paths/],
      ['to=PLANT-D&limit=5000', /limit/],
      ['to=PLANT-A', /another account/],
      ['to=PLANT-D&since=yesterday', /since/],
      [`to=PLANT-D&since=${new Date(asOf).toISOString()}&until=${new Date(asOf - DAY).toISOString()}`, /must not be after/],
      [`to=PLANT-D&since=${new Date(asOf - 400 * DAY).toISOString()}`, /at most 366 days/],
    ] as const) {
      const res = await get(`/v1/accounts/PLANT-A/paths?${query}`, keys.investigator);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.match(res.json().message, pattern);
    }
    const unknown = await get('/v1/accounts/PLANT-A/paths?to=NOBODY-42', keys.investigator);
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().message, /NOBODY-42/);
  });

  test('case export: JSON valid against its schema, printable HTML, an audit entry per export', async () => {
    const schema = (await get('/v1/cases/schema', keys.investigator)).json();
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const compiled = ajv.compile(schema);
    const validate = Object.assign((d: unknown): boolean => compiled(d), {
      get errors() {
        return compiled.errors;
      },
    });

    const res = await get('/v1/cases/accounts/PLANT-C?format=json', keys.investigator);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="case-account-PLANT-C-/);
    const file = res.json();
    assert.ok(validate(file), JSON.stringify(validate.errors));
    assert.equal(file.subject.id, 'PLANT-C');
    assert.equal(file.exportedBy.name, 'test investigator');
    assert.deepEqual(file.accounts.map((a: { accountId: string }) => a.accountId).sort(), ['PLANT-B', 'PLANT-C', 'PLANT-D', 'PLANT-F']);
    assert.deepEqual(file.transfers.map((t: { txId: string }) => t.txId).sort(), ['pl-2', 'pl-3', 'pl-8']);
    assert.equal(file.source.runId, s.run.runId);
    // Not schema-valid: a case missing its audit id, or with a field the schema does not know.
    assert.equal(validate({ ...file, auditId: undefined }), false);
    assert.equal(validate({ ...file, extra: 1 }), false);

    const audit = (await get('/v1/audit?limit=5', keys.investigator)).json().items;
    const entry = audit.find((a: { id: string }) => a.id === file.auditId);
    assert.ok(entry, 'the export names its audit entry');
    assert.equal(res.headers['x-audit-id'], file.auditId, 'also in a header (the console reads it there)');
    assert.equal(entry.action, 'case.export');
    assert.equal(entry.target, 'account:PLANT-C');
    assert.equal(entry.details.format, 'json');

    const top = (await get('/v1/clusters?limit=1', keys.investigator)).json().items[0];
    const cluster = await get(`/v1/cases/clusters/${top.clusterId}?format=json`, keys.investigator);
    assert.equal(cluster.statusCode, 200);
    const c = cluster.json();
    assert.ok(validate(c), JSON.stringify(validate.errors));
    assert.equal(c.version, 2);
    assert.equal(c.accounts.length, top.size);
    // Why each listed account is blocked, as the served list says it (null for the others).
    const servedList = new Map<string, string[]>(
      (await get('/v1/blacklist?format=json', keys.investigator))
        .json()
        .entries.map((e: { accountId: string; reasons: string[] }) => [e.accountId, e.reasons]),
    );
    for (const a of c.accounts as Array<{ accountId: string; listed: boolean; listedWith: string[] | null }>) {
      assert.equal(a.listed, servedList.has(a.accountId));
      assert.deepEqual(a.listedWith, servedList.get(a.accountId) ?? null, a.accountId);
    }
    assert.ok(
      c.accounts.some((a: { listed: boolean }) => a.listed),
      'the riskiest cluster has a listed member',
    );
    assert.equal(c.cluster.clusterId, top.clusterId);
    assert.ok(c.cluster.reasons.every((r: { text: string; reason: string }) => r.text !== r.reason));
    const members = new Set(c.accounts.map((a: { accountId: string }) => a.accountId));
    assert.ok(c.transfers.length > 0 && c.transfers.every((t: { from: string; to: string }) => members.has(t.from) && members.has(t.to)));

    const html = await get(`/v1/cases/clusters/${top.clusterId}?format=html`, keys.investigator);
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.match(html.body, new RegExp(`<h1>Case: cluster ${top.clusterId}</h1>`));
    assert.match(html.body, /@media print/);
    assert.doesNotMatch(html.body, /<script/i);
    const audits = (await get('/v1/audit?limit=5', keys.investigator)).json().items;
    assert.equal(audits[0].action, 'case.export');
    assert.equal(audits[0].details.format, 'html');
  });

  test('case export: auth and bad input', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v1/cases/accounts/PLANT-C' })).statusCode, 401);
    assert.equal((await get('/v1/cases/accounts/PLANT-C', keys.gateway)).statusCode, 403);
    const badFormat = await get('/v1/cases/accounts/PLANT-C?format=pdf', keys.investigator);
    assert.equal(badFormat.statusCode, 400);
    assert.match(badFormat.json().message, /format/);
    assert.equal((await get('/v1/cases/clusters/not-a-cluster', keys.investigator)).statusCode, 400);
    const missing = await get('/v1/cases/clusters/C999999', keys.investigator);
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /C999999/);
    assert.equal((await get('/v1/cases/accounts/NOBODY-42', keys.investigator)).statusCode, 404);
  });

  test('lookup: a pasted list answered in order, unknown ids say so, bounds', async () => {
    const listed = (await get('/v1/blacklist?format=json', keys.investigator)).json().entries[0].accountId as string;
    const post = (body: unknown, key = keys.investigator) =>
      app.inject({ method: 'POST', url: '/v1/accounts/lookup', headers: bearer(key), payload: body as object });
    const res = await post({ ids: [listed, 'PLANT-A', 'NOBODY-42', 'PLANT-A'] });
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().items;
    assert.deepEqual(
      items.map((i: { accountId: string }) => i.accountId),
      [listed, 'PLANT-A', 'NOBODY-42'],
    );
    assert.equal(items[0].listed, true);
    assert.equal(typeof items[0].score, 'number');
    assert.equal(items[1].found, true);
    assert.equal(items[1].listed, false);
    assert.equal(items[2].found, false);
    assert.equal((await post({ ids: [] })).statusCode, 400);
    assert.equal((await post({ ids: Array.from({ length: 1001 }, (_, k) => `A${k}`) })).statusCode, 400);
    assert.match((await post({ ids: [' PLANT-A'] })).json().message, /spaces/);
    assert.equal((await post({ ids: ['PLANT-A'] }, keys.gateway)).statusCode, 403);
    // Prefix suggestions carry the same facts.
    const found = (await get('/v1/accounts?prefix=PLANT-&limit=3', keys.investigator)).json().items;
    assert.deepEqual(
      found.map((i: { accountId: string }) => i.accountId),
      ['PLANT-A', 'PLANT-B', 'PLANT-C'],
    );
    assert.ok(found.every((i: object) => 'listed' in i && 'clusterId' in i && 'label' in i));
  });

  test('reasons in words: account and cluster routes explain every reason, naming the accounts behind it', async () => {
    const clusters = (await get('/v1/clusters?limit=50', keys.investigator)).json().items;
    const labelled = clusters.find((c: { reasons: string[] }) => c.reasons.some((r) => r.startsWith('LABELLED_FRAUD_MEMBERS')));
    assert.ok(labelled, 'a cluster with labelled members');
    const d = (await get(`/v1/clusters/${labelled.clusterId}`, keys.investigator)).json();
    const ex = d.cluster.explanations.find((e: { code: string }) => e.code === 'LABELLED_FRAUD_MEMBERS');
    const n = Number(ex.reason.split(':')[1]);
    assert.match(ex.text, new RegExp(`^${n} members? (is|are) labelled fraud`));
    assert.equal(ex.accounts.length, Math.min(n, 10));
    const labels = new Map(d.members.map((m: { accountId: string; label: string | null }) => [m.accountId, m.label]));
    assert.ok(ex.accounts.every((a: { accountId: string }) => labels.get(a.accountId) === 'fraud'));

    // An account receiving from risky accounts: the text has the share, the accounts are its risky senders.
    const members = d.members.filter((m: { reasons: string[] }) => m.reasons.some((r) => r.startsWith('FUNDS_FROM_RISKY')));
    assert.ok(members.length > 0, 'the cluster has members receiving from risky accounts');
    for (const m of members.slice(0, 3)) {
      const a = (await get(`/v1/accounts/${encodeURIComponent(m.accountId)}`, keys.investigator)).json();
      assert.equal(a.explanations.length, a.reasons.length);
      const f = a.explanations.find((e: { code: string }) => e.code === 'FUNDS_FROM_RISKY');
      const share = f.reason.split(':')[1].split(' ')[0];
      assert.ok(f.text.startsWith(`${share} of the money it received came from risky accounts`), f.text);
      assert.ok(f.accounts.length > 0, `${m.accountId}: the risky senders are named`);
      for (const x of f.accounts) assert.match(x.detail, /sent it .* of its inflow\).*(listed|labelled fraud|risk 0\.[5-9]|risk 1)/);
    }
  });

  test("reasons in words and amounts speak of the run's own settings, not of the API process's", async () => {
    const clusters = (await get('/v1/clusters?limit=200', keys.investigator)).json().items as Array<{ clusterId: string }>;
    let relay: string | null = null;
    for (const c of clusters) {
      const d = (await get(`/v1/clusters/${c.clusterId}`, keys.investigator)).json();
      const m = d.members.find((x: { reasons: string[] }) => x.reasons.some((r) => r.startsWith('PASS_THROUGH')));
      if (m) {
        relay = m.accountId;
        break;
      }
    }
    assert.ok(relay, 'an account passing money through');
    const runHours = (await get('/v1/runs?limit=1', keys.admin)).json().items[0].params.holdHours;
    assert.equal(typeof runHours, 'number');
    // An API process started with another ACCTNET_HOLD_HOURS and base currency than the run had.
    const config = { ...s.config, analysis: { ...s.config.analysis, holdHours: runHours + 5, baseCurrency: 'XTS', fxRates: {} } };
    const other = await buildServer({ config, runtime: s.rt, logger: testLogger() });
    await other.ready();
    try {
      const text = async (server: FastifyInstance) => {
        const a = (
          await server.inject({ method: 'GET', url: `/v1/accounts/${encodeURIComponent(relay!)}`, headers: bearer(keys.investigator) })
        ).json();
        return a.explanations.find((e: { code: string }) => e.code === 'PASS_THROUGH').text as string;
      };
      const mine = await text(app);
      assert.match(mine, new RegExp(`within ${runHours} hours`));
      assert.equal(await text(other), mine);
      // Amounts beside the run's results are converted with the run's base currency and rates (an
      // API without a rate for the run's currency would show no totals).
      const figures = async (server: FastifyInstance) => {
        const url = `/v1/accounts/${encodeURIComponent(relay!)}`;
        const account = (await server.inject({ method: 'GET', url, headers: bearer(keys.investigator) })).json();
        const graph = (await server.inject({ method: 'GET', url: `${url}/neighborhood`, headers: bearer(keys.investigator) })).json();
        return { counterparties: account.topCounterparties, edges: graph.edges };
      };
      const ours = await figures(app);
      assert.ok(ours.counterparties.length > 0 && ours.counterparties.every((c: { total: number | null }) => c.total !== null));
      assert.ok(ours.edges.length > 0 && ours.edges.every((e: { amount: number | null }) => e.amount !== null));
      assert.deepEqual(await figures(other), ours);
    } finally {
      await other.close();
    }
  });
});
