// ACCTNET_WATCH_REVIEW against the real Neo4j and Redis: the served run's review list (accounts on the
// learned or anomaly score alone) is watched as leads — a successor of a lead is recorded for an
// investigator and never auto-listed, a lead can itself be a listed account's successor, and with the
// setting off only listed and labelled accounts are watched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Worker } from 'bullmq';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { RECOMPUTE_QUEUE, requestRecompute } from '../../src/queue/recompute-queue.js';
import { createRecomputeWorker } from '../../src/runs/recompute-worker.js';
import type { RunSummary } from '../../src/runs/recompute.js';
import { createSuccessorWatch } from '../../src/watch/successor-watch.js';
import { buildWatchSet, watchKeys } from '../../src/watch/watch-set.js';
import { testLogger } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';
import { openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

let seq = 0;
const tx = (from: string, to: string, amount: number, day: number, hour: number, channel = 'p2p') => ({
  txId: `r${seq++}`,
  from,
  to,
  amount: amount.toFixed(2),
  currency: 'USD',
  at: T0 + day * DAY + hour * HOUR + (seq % 50) * 1000,
  channel,
});

/** `acct` deals with its five partners (group k) between two days, and pays a shop. */
function life(acct: string, k: number, fromDay: number, toDay: number) {
  const out: Array<ReturnType<typeof tx>> = [];
  for (let d = fromDay; d < toDay; d += 2) {
    [1, 2, 3, 4, 5].forEach((j) => {
      const c = `G${k}_${j}`;
      if ((d / 2 + j) % 2) out.push(tx(c, acct, 40 + j, d, 19));
      else out.push(tx(acct, c, 35 + j, d, 18));
    });
    out.push(tx(acct, 'SHOP', 30, d, 12, 'card'));
  }
  return out;
}

function history() {
  const out: Array<ReturnType<typeof tx>> = [];
  for (let c = 0; c < 130; c++) out.push(tx(`CUST${c}`, 'SHOP', 25, c % 60, 15, 'card'));
  for (let g = 0; g < 20; g++) for (let d = g % 5; d < 60; d += 5) out.push(tx(`P${g}a`, `P${g}b`, 20 + g, d, 20));
  for (let k = 1; k <= 3; k++) out.push(...life(`OLD${k}`, k, 0, 60));
  // A lead: not labelled, nothing a rule lists — the run is told it is on the review list below.
  out.push(...life('LEAD', 6, 0, 60));
  return out;
}

describe('successor watch: the review list as leads (ACCTNET_WATCH_REVIEW, real Neo4j and Redis)', () => {
  let s: TestServices;
  let worker: Worker;
  let events: QueueEvents;
  let runId: string;

  before(async () => {
    s = await openServices({ ACCTNET_LEARNED: 'off', ACCTNET_GUARD_MIN_SIZE: '100000' });
    await seedTransfers(s.driver, s.config, history());
    await createLabelRepository(s.driver, s.config.neo4j).append(
      [1, 2, 3].map((k) => ({ accountId: `OLD${k}`, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    events = new QueueEvents(RECOMPUTE_QUEUE, { connection: s.rt.redis(), prefix: s.config.queue.prefix });
    await events.waitUntilReady();
    worker = createRecomputeWorker({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      webhookQueue: s.rt.webhookQueue(),
      log: testLogger(),
    });
    const r = await requestRecompute(s.rt.recomputeQueue(), { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null });
    const summary = (await (await s.rt.recomputeQueue().getJob(r.jobId))!.waitUntilFinished(events, 180_000)) as RunSummary;
    assert.equal(summary.publication, 'served');
    runId = summary.runId;
    // The learned step is off in this small world, so the run's review list is set by hand: LEAD as
    // the learned model would leave it (at the threshold on the model alone, not served).
    const set = await s.driver.executeQuery(
      'MATCH (r:AccountResult {runId: $runId, accountId: $id}) SET r.review = true, r.score = 0.62 RETURN count(r) AS n',
      { runId, id: 'LEAD' },
    );
    assert.equal(set.records[0]!.get('n').toNumber(), 1);
  });
  after(async () => {
    await worker?.close();
    await events?.close();
    await s?.close();
  });

  const pred = async (gen: number, id: string) => {
    const raw = await s.rt.redis().hget(watchKeys(s.config.queue.prefix).pred(gen), id);
    return raw === null ? null : JSON.parse(raw);
  };

  test('off: only listed and labelled accounts are watched', async () => {
    const info = await buildWatchSet({
      config: { ...s.config, watch: { ...s.config.watch, review: false } },
      driver: s.driver,
      redis: s.rt.redis(),
    });
    assert.ok(await pred(info.version, 'OLD1'));
    assert.equal(await pred(info.version, 'LEAD'), null);
    assert.equal(await s.rt.redis().hget(watchKeys(s.config.queue.prefix).cp(info.version), 'G6_1'), null);
  });

  test('on (the default): the lead and its former counterparties are watched; its successor is recorded, held for an investigator', async () => {
    assert.equal(s.config.watch.review, true, 'on by default');
    const info = await buildWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    const p = await pred(info.version, 'LEAD');
    assert.ok(p, 'LEAD is a predecessor');
    assert.equal(p.listed, false);
    assert.equal(p.review, true);
    assert.equal(p.score, 0.62);
    const cp = JSON.parse((await s.rt.redis().hget(watchKeys(s.config.queue.prefix).cp(info.version), 'G6_1'))!);
    assert.deepEqual(cp.p, ['LEAD']);

    // LEAD went quiet on day 60; NEWL, new, carries on with its partners.
    const later = life('NEWL', 6, 62, 68);
    await seedTransfers(s.driver, s.config, later, 'newl');
    const watch = createSuccessorWatch({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      publish: s.rt.publishDeps(),
      log: testLogger(),
    });
    const outcome = await watch.afterWrite(later.map((t) => ({ from: t.from, to: t.to, at: t.at })));
    assert.equal(outcome.provisional, 1, JSON.stringify(outcome));
    assert.equal(outcome.autoListed, 0);
    const links = await createSuccessorRepository(s.driver, s.config.neo4j).list({
      statuses: ['provisional'],
      minScore: 0,
      after: null,
      limit: 10,
    });
    const link = links.find((l) => l.from === 'LEAD' && l.to === 'NEWL');
    assert.ok(link, JSON.stringify(links));
    assert.equal(link.listed, false);
    assert.match(link.heldBecause ?? '', /review list/);
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const entries = await blacklist.entries((await blacklist.state()).servedVersion!);
    assert.ok(!entries.some((e) => e.accountId === 'NEWL'), 'a lead’s successor is not served');
  });

  test("a lead is not a firm predecessor: it can still be a listed account's successor", async () => {
    const info = await buildWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    const watch = createSuccessorWatch({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      publish: s.rt.publishDeps(),
      log: testLogger(),
    });
    const trace = await watch.diagnose('OLD1', 'LEAD', T0 + 62 * DAY);
    assert.notEqual(trace.stage, 'successor itself listed by a run or labelled');
    assert.notEqual(trace.stage, 'successor is itself a predecessor at the same or a higher level');
    // A listed account, by contrast, is nobody's successor.
    assert.equal((await pred(info.version, 'OLD2')).depth, 0);
    const firm = await watch.diagnose('OLD1', 'OLD2', T0 + 62 * DAY);
    assert.equal(firm.stage, 'successor itself listed by a run or labelled');
  });
});
