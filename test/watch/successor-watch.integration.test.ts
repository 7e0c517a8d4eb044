// The successor watch against the real Neo4j and Redis, through POST /v1/transactions and the real
// ingest worker: a listed account goes quiet, a new one takes over its counterparties, and the
// provisional migration, the listing, the push, the breaker, the investigator's decisions and the
// next run's confirmation follow.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config/index.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { createAnalysisRepository } from '../../src/neo4j/repositories/analysis.js';
import { RECOMPUTE_QUEUE, requestRecompute } from '../../src/queue/recompute-queue.js';
import { createRecomputeWorker } from '../../src/runs/recompute-worker.js';
import type { RunSummary } from '../../src/runs/recompute.js';
import { createWebhookWorker } from '../../src/webhooks/webhook-worker.js';
import { createSuccessorWatch, type WatchedTransfer, type WatchOutcome } from '../../src/watch/successor-watch.js';
import { buildWatchSet, currentWatchSet, watchKeys } from '../../src/watch/watch-set.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { testLogger } from '../helpers/env.js';
import { handEvidence } from '../helpers/evidence.js';
import { seedTransfers } from '../helpers/seed.js';
import { openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

interface Tx {
  txId: string;
  from: string;
  to: string;
  /** Major units, two decimals. */
  amount: string;
  currency: string;
  at: number;
  channel: string;
}

let seq = 0;
const tx = (from: string, to: string, amount: number, day: number, hour: number, channel = 'p2p'): Tx => ({
  txId: `w${seq++}`,
  from,
  to,
  amount: amount.toFixed(2),
  currency: 'USD',
  at: T0 + day * DAY + hour * HOUR + (seq % 50) * 1000,
  channel,
});
const partners = (k: number) => [1, 2, 3, 4, 5].map((j) => `C${k}_${j}`);

/** `acct` lives its life with its five partners between two days: money both ways, the same hours and amounts. */
function life(acct: string, k: number, fromDay: number, toDay: number): Tx[] {
  const out: Tx[] = [];
  for (let d = fromDay; d < toDay; d += 2) {
    partners(k).forEach((c, j) => {
      if ((d / 2 + j) % 2) out.push(tx(c, acct, 40 + j, d, 19));
      else out.push(tx(acct, c, 35 + j, d, 18));
    });
    out.push(tx(acct, 'SHOP', 30, d, 12, 'card'));
  }
  return out;
}

/** The world up to day 60: hubs (a shop, an employer), friend groups, and five fraud accounts with their partners. */
function history(): Tx[] {
  const out: Tx[] = [];
  for (let c = 0; c < 130; c++) out.push(tx(`CUST${c}`, 'SHOP', 25, c % 60, 15, 'card'));
  for (let c = 0; c < 130; c++) out.push(tx('EMPLOYER', `E${c}`, 2000, (c * 7) % 60, 7));
  for (let g = 0; g < 20; g++) for (let d = g % 5; d < 60; d += 5) out.push(tx(`P${g}a`, `P${g}b`, 20 + g, d, 20));
  for (let k = 1; k <= 5; k++) out.push(...life(`OLD${k}`, k, 0, 60));
  return out;
}

const asRows = (txs: Tx[]) =>
  txs.map((t) => ({
    tx_id: t.txId,
    from_account: t.from,
    to_account: t.to,
    amount: t.amount,
    currency: t.currency,
    timestamp: new Date(t.at).toISOString(),
    channel: t.channel,
  }));

describe('successor watch (real Neo4j and Redis)', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  let ingest: Worker;
  let recomputeWorker: Worker;
  let webhookWorker: Worker;
  let events: QueueEvents;
  let server: http.Server;
  const received: Array<{ added: Array<{ accountId: string; reasons: string[]; score: number }>; removed: string[] }> = [];
  let watch: ReturnType<typeof createSuccessorWatch>;
  let outcomes: WatchOutcome[] = [];
  const successors = () => createSuccessorRepository(s.driver, s.config.neo4j);
  const blacklist = () => createBlacklistRepository(s.driver, s.config.neo4j);

  const useWatch = (config: Config) => {
    watch = createSuccessorWatch({ config, driver: s.driver, redis: s.rt.redis(), publish: s.rt.publishDeps(), log: testLogger() });
  };

  async function until<T>(check: () => Promise<T | undefined | false>, what: string, tries = 600): Promise<T> {
    for (let k = 0; k < tries; k++) {
      const v = await check();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function post(txs: Tx[]): Promise<void> {
    const before = outcomes.length;
    const res = await app.inject({ method: 'POST', url: '/v1/transactions', payload: asRows(txs), headers: bearer(keys.ingest) });
    assert.equal(res.statusCode, 202, res.body);
    // The ingest job ends after the watch evaluated its transfers.
    await until(async () => outcomes.length > before, 'the ingest job and its watch', 900);
  }

  async function recompute(): Promise<RunSummary> {
    const r = await requestRecompute(s.rt.recomputeQueue(), { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null });
    const job = await s.rt.recomputeQueue().getJob(r.jobId);
    return (await job!.waitUntilFinished(events, 180_000)) as RunSummary;
  }

  const served = async () => {
    const state = await blacklist().state();
    return state.servedVersion === null ? [] : blacklist().entries(state.servedVersion);
  };
  const provisional = async () =>
    (await app.inject({ method: 'GET', url: '/v1/migrations?status=provisional', headers: bearer(keys.investigator) })).json()
      .items as Array<{
      from: string;
      to: string;
      score: number;
      status: string;
      runId: string | null;
      detectedAt: string;
      evidence: Record<string, unknown>;
      watch: { listed: boolean; heldBecause: string | null; listScore: number; decision: string | null };
    }>;

  before(async () => {
    s = await openServices({
      ACCTNET_LEARNED: 'off',
      ACCTNET_GUARD_MIN_SIZE: '100000',
      ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR: '1',
      ACCTNET_WEBHOOK_BACKOFF_MS: '150',
    });
    app = await buildTestApp(s);
    keys = await createKeys(s);
    await seedTransfers(s.driver, s.config, history());
    await createLabelRepository(s.driver, s.config.neo4j).append(
      [1, 2, 3, 4, 5].map((k) => ({ accountId: `OLD${k}`, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    events = new QueueEvents(RECOMPUTE_QUEUE, { connection: s.rt.redis(), prefix: s.config.queue.prefix });
    await events.waitUntilReady();
    recomputeWorker = createRecomputeWorker({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      webhookQueue: s.rt.webhookQueue(),
      log: testLogger(),
    });
    const first = await recompute();
    assert.equal(first.publication, 'served');
    useWatch(s.config);
    ingest = createIngestWorker({
      config: s.config,
      driver: s.driver,
      connection: s.rt.redis(),
      log: testLogger(),
      watch: {
        afterWrite: async (t: readonly WatchedTransfer[]) => {
          const o = await watch.afterWrite(t);
          outcomes.push(o);
          return o;
        },
      },
    });
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const hook = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(keys.admin),
      payload: {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gw`,
        secret: 'whsec_test_0123456789abcdef0123456789abcdef',
      },
    });
    assert.equal(hook.statusCode, 201, hook.body);
    webhookWorker = createWebhookWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
  });
  after(async () => {
    await ingest?.close();
    await recomputeWorker?.close();
    await webhookWorker?.close();
    await events?.close();
    server?.close();
    await app?.close();
    await s?.close();
  });

  test('the first run lists the fraud accounts; the watch set holds them and their former counterparties', async () => {
    const listed = new Set((await served()).map((e) => e.accountId));
    for (let k = 1; k <= 4; k++) assert.ok(listed.has(`OLD${k}`), `OLD${k} listed`);
    const gen = await currentWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    assert.equal(gen, (await blacklist().state()).servedVersion);
    const k = watchKeys(s.config.queue.prefix);
    const cp = JSON.parse((await s.rt.redis().hget(k.cp(gen!), 'C1_1'))!);
    assert.deepEqual(cp.p, ['OLD1']);
    assert.equal(await s.rt.redis().hget(k.cp(gen!), 'SHOP'), null, 'hubs are not watched');
  });

  test('a new account takes over a listed account: provisional migration, listed at once, pushed; a side-by-side account raises nothing', async () => {
    const started = Date.now();
    // OLD1 went quiet on day 60; NEW1 carries on with its partners. OLD2 carries on with its own
    // partners and SIDE2, new, deals with the same people side by side.
    await post([...life('NEW1', 1, 62, 68), ...life('OLD2', 2, 60, 68), ...life('SIDE2', 2, 62, 68)]);
    const items = await until(async () => {
      const p = await provisional();
      return p.some((m) => m.from === 'OLD1' && m.to === 'NEW1') && p;
    }, 'the provisional migration OLD1 → NEW1');
    const m = items.find((x) => x.from === 'OLD1' && x.to === 'NEW1')!;
    assert.equal(m.status, 'provisional');
    assert.equal(m.runId, null);
    assert.ok(m.score >= s.config.watch.minScore, `score ${m.score}`);
    assert.equal(m.evidence.fallKind, 'listed');
    assert.equal(m.evidence.riseKind, 'new');
    assert.equal(m.evidence.sharedCounterparties, 5);
    assert.equal(m.watch.listed, true);
    assert.ok(!items.some((x) => x.to === 'SIDE2'), 'a shared counterparty dealt with side by side is not a takeover');

    const entry = (await served()).find((e) => e.accountId === 'NEW1');
    assert.ok(entry, 'NEW1 is on the served list');
    assert.deepEqual(entry.reasons, [`MIGRATED_FROM:OLD1:${Math.round(m.score * 100) / 100}`, 'PROVISIONAL']);
    const old1 = (await served()).find((e) => e.accountId === 'OLD1')!;
    assert.equal(entry.score, Math.round(old1.score * m.score * 1000) / 1000);
    assert.ok(!(await served()).some((e) => e.accountId === 'SIDE2'));
    // The successor's own page says why it is listed: the provisional link and the reason in words
    // (the served run never analysed NEW1).
    const page = (await app.inject({ method: 'GET', url: '/v1/accounts/NEW1', headers: bearer(keys.investigator) })).json();
    assert.equal(page.analysed, false);
    assert.deepEqual(
      page.migrations.predecessors.map((p: { from: string; status: string }) => [p.from, p.status]),
      [['OLD1', 'provisional']],
    );
    assert.ok(
      page.explanations.some((x: { code: string; text: string }) => x.code === 'MIGRATED_FROM' && x.text.length > 20),
      JSON.stringify(page.explanations),
    );
    const push = await until(async () => received.find((r) => r.added.some((e) => e.accountId === 'NEW1')), 'the webhook diff with NEW1');
    assert.ok(push.added.find((e) => e.accountId === 'NEW1')!.reasons.includes('PROVISIONAL'));
    assert.ok(Date.now() - started < 60_000, 'listed and pushed within a minute');
    const cli = await app.inject({
      method: 'GET',
      url: '/v1/migrations?status=provisional&clusterId=C000001',
      headers: bearer(keys.investigator),
    });
    assert.equal(cli.statusCode, 400, 'a provisional successor has no cluster to filter by');
  });

  test('the breaker holds a listing past its hourly cap; a rejected pair is not raised again', async () => {
    await post(life('NEW3', 3, 62, 68));
    const m = await until(async () => (await provisional()).find((x) => x.from === 'OLD3' && x.to === 'NEW3'), 'OLD3 → NEW3');
    assert.equal(m.watch.listed, false);
    assert.match(m.watch.heldBecause ?? '', /circuit breaker: 1 successors auto-listed in the last hour/);
    assert.ok(!(await served()).some((e) => e.accountId === 'NEW3'));
    assert.ok(outcomes.some((o) => o.breakerHeld === 1));
    // The hour passes (its count cleared) and NEW3 trades on: held by the breaker, it waits for review,
    // not for the next free slot.
    await s.rt.redis().del(watchKeys(s.config.queue.prefix).autoListed);
    await post(life('NEW3', 3, 68, 70));
    const still = (await provisional()).find((x) => x.from === 'OLD3' && x.to === 'NEW3')!;
    assert.equal(still.watch.listed, false, 'still held for review');
    assert.match(still.watch.heldBecause ?? '', /circuit breaker/);
    assert.ok(!(await served()).some((e) => e.accountId === 'NEW3'));

    const rejected = await app.inject({
      method: 'POST',
      url: '/v1/migrations/reject',
      headers: bearer(keys.investigator),
      payload: { from: 'OLD3', to: 'NEW3', note: 'same household, checked' },
    });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().audit.action, 'successor.reject');
    assert.equal(rejected.json().migration.status, 'rejected', 'the answer says what the pair is now');
    await post(life('NEW3', 3, 68, 72));
    assert.ok(!(await provisional()).some((x) => x.to === 'NEW3'), 'not raised again');
    assert.equal((await successors().get('OLD3', 'NEW3'))!.status, 'rejected');
    const again = await app.inject({
      method: 'POST',
      url: '/v1/migrations/reject',
      headers: bearer(keys.investigator),
      payload: { from: 'OLD3', to: 'NEW3' },
    });
    assert.equal(again.statusCode, 409);
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/migrations/confirm',
      headers: bearer(keys.investigator),
      payload: { from: 'X', to: 'Y' },
    });
    assert.equal(unknown.statusCode, 404);
    // A rejected pair can be listed (it is never raised again: investigators see why).
    const rejectedList = await app.inject({ method: 'GET', url: '/v1/migrations?status=rejected', headers: bearer(keys.investigator) });
    assert.equal(rejectedList.statusCode, 200, rejectedList.body);
    assert.ok(rejectedList.json().items.some((m: { from: string; to: string }) => m.from === 'OLD3' && m.to === 'NEW3'));
  });

  test('with auto-list off nothing is listed until an investigator confirms', async () => {
    useWatch({ ...s.config, watch: { ...s.config.watch, autoList: false, maxAutoListPerHour: 100 } });
    await post(life('NEW4', 4, 62, 68));
    const m = await until(async () => (await provisional()).find((x) => x.from === 'OLD4' && x.to === 'NEW4'), 'OLD4 → NEW4');
    assert.equal(m.watch.listed, false);
    assert.match(m.watch.heldBecause ?? '', /ACCTNET_WATCH_AUTO_LIST is off/);
    assert.ok(!(await served()).some((e) => e.accountId === 'NEW4'));
    const before = (await blacklist().state()).servedVersion!;
    const confirm = (from: string, to: string) =>
      app.inject({ method: 'POST', url: '/v1/migrations/confirm', headers: bearer(keys.investigator), payload: { from, to } });
    const confirmed = await confirm('OLD4', 'NEW4');
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.ok(confirmed.json().published.version > before);
    const entry = (await served()).find((e) => e.accountId === 'NEW4');
    assert.ok(entry, 'listed after the confirm');
    assert.deepEqual(entry.reasons.at(-1), 'PROVISIONAL');
    assert.ok(!(await served()).some((e) => e.reasons[0] === 'MANUAL_INCLUDE'), 'a confirm is not a manual include');
    assert.equal(confirmed.json().migration.watch.listed, true, 'the answer says it is on the list');
    // Confirming twice is one confirmation: 409 naming who confirmed, no second audit entry.
    const twice = await confirm('OLD4', 'NEW4');
    assert.equal(twice.statusCode, 409, twice.body);
    assert.match(twice.json().message, /was already confirmed by test investigator at 20/);
    const audits = await s.driver.executeQuery(
      "MATCH (a:AuditEntry {action: 'successor.confirm'}) WHERE a.target CONTAINS 'NEW4' RETURN count(a) AS n",
    );
    assert.equal(Number(audits.records[0]!.get('n')), 1);

    // A confirm of a successor whose predecessor is on no list records the decision but lists
    // nothing: the answer and the provisional list say so, with why, instead of "listed".
    await successors().record(
      { from: 'P0a', to: 'NEWP', score: 0.9, listScore: 0, fallAt: T0, riseAt: T0 + DAY, depth: 1, evidence: handEvidence() },
      Date.now(),
    );
    const unlisted = await confirm('P0a', 'NEWP');
    assert.equal(unlisted.statusCode, 200, unlisted.body);
    assert.equal(unlisted.json().migration.watch.listed, false);
    assert.match(unlisted.json().migration.watch.heldBecause, /predecessor is not on the served list/);
    assert.ok(!(await served()).some((e) => e.accountId === 'NEWP'), 'gateways have no NEWP');
    const shown = (await provisional()).find((x) => x.to === 'NEWP')!;
    assert.equal(shown.watch.listed, false);
    assert.equal(shown.watch.decision, 'confirmed');
    // A reject after a confirm reverses it: allowed, and its audit entry says whose decision it reverses.
    const reversed = await app.inject({
      method: 'POST',
      url: '/v1/migrations/reject',
      headers: bearer(keys.investigator),
      payload: { from: 'P0a', to: 'NEWP', note: 'the owner changed banks legitimately' },
    });
    assert.equal(reversed.statusCode, 200, reversed.body);
    assert.equal(reversed.json().audit.details.reverses.decision, 'confirmed');
    assert.equal(reversed.json().audit.details.reverses.by, 'test investigator');
    useWatch(s.config);
  });

  test('workers deciding the same successor at once record and list it once', async () => {
    // Four ingest workers (four watch instances) evaluate the same new transfers of NEW5, OLD5's
    // successor, at the same moment (a redelivered job, or two jobs that both re-score S).
    const config = { ...s.config, watch: { ...s.config.watch, maxAutoListPerHour: 100 } };
    const make = () =>
      createSuccessorWatch({ config, driver: s.driver, redis: s.rt.redis(), publish: s.rt.publishDeps(), log: testLogger() });
    const workers = [make(), make(), make(), make()];
    const txs = life('NEW5', 5, 62, 68);
    await seedTransfers(s.driver, s.config, txs, 'new5');
    const watched = txs.map((t) => ({ from: t.from, to: t.to, at: t.at }));
    const breakerBefore = await s.rt.redis().zcard(watchKeys(s.config.queue.prefix).autoListed);
    // Each worker has read the watch set's members already (as a running worker has).
    await Promise.all(workers.map((w) => w.afterWrite([{ from: 'P0a', to: 'P0b', at: T0 + 61 * DAY }])));
    const outs = await Promise.all(workers.map((w) => w.afterWrite(watched)));
    const sum = (k: 'provisional' | 'autoListed' | 'breakerHeld') => outs.reduce((n, o) => n + o[k], 0);
    assert.equal(sum('provisional'), 1, 'one provisional link recorded');
    assert.equal(sum('autoListed'), 1, 'listed once');
    assert.equal(sum('breakerHeld'), 0);
    assert.equal(await s.rt.redis().zcard(watchKeys(s.config.queue.prefix).autoListed), breakerBefore + 1, 'the breaker charged once');
    const m = (await provisional()).filter((x) => x.to === 'NEW5');
    assert.equal(m.length, 1);
    assert.equal(m[0]!.from, 'OLD5');
    assert.equal(m[0]!.watch.listed, true);
    assert.ok((await served()).some((e) => e.accountId === 'NEW5'));
  });

  test('the watch set follows a new served version', async () => {
    const inc = await app.inject({
      method: 'POST',
      url: '/v1/blacklist/overrides',
      headers: bearer(keys.investigator),
      payload: { accountId: 'P3a', action: 'include', reason: 'watch test' },
    });
    assert.equal(inc.statusCode, 201, inc.body);
    const gen = await currentWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    assert.equal(gen, (await blacklist().state()).servedVersion);
    const pred = JSON.parse((await s.rt.redis().hget(watchKeys(s.config.queue.prefix).pred(gen!), 'P3a'))!);
    assert.equal(pred.listed, true);
    assert.equal(pred.score, 1);
  });

  test('an account that first dealt with a listed account after its listing stays a candidate successor of it', async () => {
    // OLD4 was listed by the first run (day 60); LATE4 pays it on day 66, and the set is rebuilt.
    await seedTransfers(s.driver, s.config, [tx('LATE4', 'OLD4', 50, 66, 10)], 'late4');
    const info = await buildWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    const cp = async (id: string) => JSON.parse((await s.rt.redis().hget(watchKeys(s.config.queue.prefix).cp(info.version), id))!);
    const before = await cp('C4_1');
    assert.ok(
      before.p.includes('OLD4') && !(before.late ?? []).includes('OLD4'),
      'a partner from before the listing is a former counterparty',
    );
    const late = await cp('LATE4');
    assert.ok(late.p.includes('OLD4'), "LATE4 counts among OLD4's relations (its weight, its shared evidence)");
    assert.deepEqual(late.late, ['OLD4'], "but only since after the listing: it can still be OLD4's successor");
  });

  /** The evidence of a provisional successor recorded by hand (a link no run will find). */
  const evidence = handEvidence();

  test('a run whose version is held (pinned) confirms and expires nothing: the links stay provisional inputs of the list', async () => {
    await successors().record(
      { from: 'OLD2', to: 'GHOST2', score: 0.8, listScore: 0.8, fallAt: T0, riseAt: T0 + DAY, depth: 1, evidence },
      Date.now() - 72 * HOUR,
    );
    await successors().setListing('OLD2>GHOST2', true, null, Date.now() - 72 * HOUR);
    const version = (await blacklist().state()).servedVersion!;
    const pin = await app.inject({ method: 'POST', url: '/v1/blacklist/pin', headers: bearer(keys.admin), payload: { version } });
    assert.equal(pin.statusCode, 200, pin.body);
    try {
      const run = await recompute();
      assert.equal(run.publication, 'held');
      assert.equal((await successors().get('OLD2', 'GHOST2'))!.status, 'provisional', 'not expired by a run whose version is held');
      assert.equal((await successors().get('OLD1', 'NEW1'))!.status, 'provisional', 'nor confirmed');
      // …so a publication meanwhile (an override) keeps them on the served list.
      const outsider = 'C2_4';
      const o = await app.inject({
        method: 'POST',
        url: '/v1/blacklist/overrides',
        headers: bearer(keys.investigator),
        payload: { accountId: outsider, action: 'include', reason: 'held-run test' },
      });
      assert.equal(o.statusCode, 201, o.body);
      const list = await served();
      assert.ok(list.some((e) => e.accountId === 'GHOST2' && e.reasons.includes('PROVISIONAL')));
      assert.ok(list.some((e) => e.accountId === 'NEW1'));
    } finally {
      const unpin = await app.inject({ method: 'DELETE', url: '/v1/blacklist/pin', headers: bearer(keys.admin) });
      assert.equal(unpin.statusCode, 200, unpin.body);
    }
  });

  test('the next run confirms the link and expires a stale one; batch and watch score the same evidence the same', async () => {
    // A provisional successor detected three days ago, listed, that no run will find.
    const stale = { from: 'OLD2', to: 'GHOST', score: 0.8, listScore: 0.8, fallAt: T0, riseAt: T0 + DAY, depth: 1 };
    await successors().record({ ...stale, evidence }, Date.now() - 72 * HOUR);
    await successors().setListing('OLD2>GHOST', true, null, Date.now() - 72 * HOUR);
    const run = await recompute();
    assert.equal((await successors().get('OLD2', 'GHOST'))!.status, 'expired');
    assert.ok(!(await served()).some((e) => e.accountId === 'GHOST'), "the run's version is without the expired successor");
    const audit = (await app.inject({ method: 'GET', url: '/v1/audit', headers: bearer(keys.admin) })).json().items as Array<{
      action: string;
      target: string;
    }>;
    assert.ok(audit.some((a) => a.action === 'successor.expired' && a.target === 'OLD2>GHOST'));
    assert.equal(run.status, 'succeeded');
    const link = (await createAnalysisRepository(s.driver, s.config.neo4j).migrations(run.runId, 0, 1000)).find(
      (l) => l.from === 'OLD1' && l.to === 'NEW1',
    );
    assert.ok(link, 'the run found OLD1 → NEW1');
    assert.equal(link.evidence.fallKind, 'listed', 'a listed account has fallen without 14 quiet days');
    const stored = (await successors().get('OLD1', 'NEW1'))!;
    assert.equal(stored.status, 'confirmed');
    assert.equal(stored.runId, run.runId);
    assert.ok(!(await provisional()).some((x) => x.to === 'NEW1'));
    // The confirmed link keeps when acctnet first reported it (the watch), and the watch's record.
    const confirmed = (await app.inject({ method: 'GET', url: '/v1/migrations?limit=100', headers: bearer(keys.investigator) })).json()
      .items as Array<{ from: string; to: string; status: string; detectedAt: string; runId: string; watch?: { listed: boolean } }>;
    const c1 = confirmed.find((x) => x.from === 'OLD1' && x.to === 'NEW1')!;
    assert.equal(c1.status, 'confirmed');
    assert.equal(c1.runId, run.runId);
    assert.equal(c1.detectedAt, new Date(stored.detectedAt).toISOString(), "the watch's detection time, not the run's end");
    assert.ok(c1.watch, "the watch's record is shown");
    const other = confirmed.find((x) => !(x.from === 'OLD1' && x.to === 'NEW1') && x.watch === undefined);
    const runView = (await app.inject({ method: 'GET', url: `/v1/runs/${run.runId}`, headers: bearer(keys.investigator) })).json();
    assert.ok(other, 'the run found a link the watch did not');
    assert.equal(other.detectedAt, runView.finishedAt, "a link only a run found: the run's end");
    const detail = (await app.inject({ method: 'GET', url: '/v1/accounts/NEW1', headers: bearer(keys.investigator) })).json();
    assert.equal(detail.migrations.predecessors.find((x: { from: string }) => x.from === 'OLD1').detectedAt, c1.detectedAt);
    const entry = (await served()).find((e) => e.accountId === 'NEW1');
    assert.ok(entry, 'NEW1 stays listed, now by the run');
    assert.ok(!entry.reasons.includes('PROVISIONAL'), entry.reasons.join(' | '));
    assert.ok(entry.reasons.some((r) => r.startsWith('MIGRATED_FROM:OLD1:')));
    // OLD3 → NEW3 was rejected by an investigator (above): NEW3 took over OLD3's partners as NEW1
    // took over OLD1's, yet the run links them no more than the watch does.
    const links = await createAnalysisRepository(s.driver, s.config.neo4j).migrations(run.runId, 0, 1000);
    assert.ok(!links.some((l) => l.from === 'OLD3' && l.to === 'NEW3'), 'a rejected pair is not raised again by a run');
    assert.equal((await successors().get('OLD3', 'NEW3'))!.status, 'rejected');
    const new3 = (await served()).find((e) => e.accountId === 'NEW3');
    assert.ok(!new3?.reasons.some((r) => r.startsWith('MIGRATED_FROM:OLD3:')), new3?.reasons.join(' | '));

    // The watch, on the run's stored degrees and hub flags, scores the same evidence the same.
    const seen = await watch.explain('OLD1', 'NEW1', Date.parse(run.asOf!));
    assert.ok(seen);
    for (const k of [
      'sharedCounterparties',
      'formerCounterparties',
      'counterpartyOverlap',
      'directTransfers',
      'profileSimilarity',
      'clusterShare',
    ] as const)
      assert.equal(seen.evidence[k], link.evidence[k], k);
    // The cluster substitute is part of that evidence: NEW1's counterparties were in OLD1's cluster.
    assert.ok(Number(link.evidence.clusterShare) > 0, `clusterShare ${String(link.evidence.clusterShare)}`);
    assert.equal(seen.score, link.score);
  });
});
