// ACCTNET_WATCH_MAX_COUNTERPARTIES and ACCTNET_WATCH_YOUNG_DAYS against the real Neo4j and Redis:
// the watch set of a fraud-labelled account and the evidence the watch scores for its successor
// change with each setting (each variant has its own Redis prefix, so its own watch set).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../src/config/index.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createSuccessorWatch } from '../../src/watch/successor-watch.js';
import { accountsInRun, currentWatchSet, watchKeys, type WatchCounterparty, type WatchPredecessor } from '../../src/watch/watch-set.js';
import type { SyntheticTransfer } from '../../dev/synth/background.js';
import { testLogger } from '../helpers/env.js';
import { seedTransfers, transferMaker } from '../helpers/seed.js';
import { dropQueuePrefix, openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const tx = transferMaker('ws', T0);
const partner = (k: number) => `WSC${k}`;

/** WSA (labelled fraud) deals with WSC1..WSC6 one after the other over days 0..29: WSC6 last. */
function history(): SyntheticTransfer[] {
  const out: SyntheticTransfer[] = [];
  for (let k = 1; k <= 6; k++)
    for (let d = (k - 1) * 5; d < k * 5; d++) {
      out.push(d % 2 ? tx(partner(k), 'WSA', d, 19, 45) : tx('WSA', partner(k), d, 18, 35));
    }
  // Two more labelled accounts: WSF with 2 transfers in all (too few to fall, in a run as in the
  // watch), WSH with 3.
  out.push(tx('WSF', 'WSE1', 20, 18, 35), tx('WSE2', 'WSF', 22, 19, 45));
  out.push(tx('WSH', 'WSE3', 20, 18, 35), tx('WSE4', 'WSH', 22, 19, 45), tx('WSH', 'WSE3', 24, 18, 35));
  return out;
}

/** WSS opens on day 32 and deals with WSC1, WSC2, WSC3 (older partners of WSA) and WSC6: 8 transfers. */
function successor(): SyntheticTransfer[] {
  return [
    ...[1, 2, 3, 6].flatMap((k, j) => [tx('WSS', partner(k), 32 + j, 18, 35), tx(partner(k), 'WSS', 33 + j, 19, 45)]),
    // WSG takes over both of WSF's counterparties, WSI both of WSH's.
    ...[0, 2].flatMap((d) => [tx('WSG', 'WSE1', 32 + d, 18, 35), tx('WSE2', 'WSG', 33 + d, 19, 45)]),
    ...[0, 2].flatMap((d) => [tx('WSI', 'WSE3', 32 + d, 18, 35), tx('WSE4', 'WSI', 33 + d, 19, 45)]),
  ];
}
const NOW = T0 + 42 * DAY;

describe('watch settings (real Neo4j and Redis)', () => {
  let s: TestServices;
  const prefixes: string[] = [];
  const variant = (name: string, watch: Partial<Config['watch']>, analysis: Partial<Config['analysis']> = {}): Config => {
    const prefix = `${s.config.queue.prefix}${name}`;
    prefixes.push(prefix);
    return {
      ...s.config,
      queue: { ...s.config.queue, prefix },
      watch: { ...s.config.watch, ...watch },
      analysis: { ...s.config.analysis, ...analysis },
    };
  };
  const watchOf = (config: Config) =>
    createSuccessorWatch({ config, driver: s.driver, redis: s.rt.redis(), publish: s.rt.publishDeps(), log: testLogger() });
  let wide: Config;
  let narrow: Config;
  let young: Config;
  let brief: Config;
  let hubAt6: Config;
  let hubAt4: Config;

  before(async () => {
    s = await openServices();
    await seedTransfers(s.driver, s.config, history());
    await createLabelRepository(s.driver, s.config.neo4j).append(
      ['WSA', 'WSF', 'WSH'].map((accountId) => ({ accountId, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    wide = variant('wide', { maxCounterparties: 200 });
    narrow = variant('narrow', { maxCounterparties: 2 });
    young = variant('young', { youngDays: 14 });
    brief = variant('brief', { youngDays: 7 });
    hubAt6 = variant('hub6', {}, { hubMinDegree: 6 });
    hubAt4 = variant('hub4', {}, { hubMinDegree: 4 });
    // The watch sets are built on WSA's history (before the successor's first transfer).
    for (const c of [wide, narrow, young, brief, hubAt6, hubAt4])
      assert.equal(await currentWatchSet({ config: c, driver: s.driver, redis: s.rt.redis() }), 0);
    await seedTransfers(s.driver, s.config, successor(), 'successor');
  });
  after(async () => {
    for (const p of prefixes) await dropQueuePrefix(s.config.redis.url, p);
    await s?.close();
  });

  test('ACCTNET_WATCH_MAX_COUNTERPARTIES keeps only the most recent former counterparties, and the evidence follows', async () => {
    const held = async (c: Config) => {
      const k = watchKeys(c.queue.prefix);
      const pred = JSON.parse((await s.rt.redis().hget(k.pred(0), 'WSA'))!) as WatchPredecessor;
      const cps = await s.rt.redis().hgetall(k.cp(0));
      const of = Object.entries(cps)
        .filter(([, v]) => (JSON.parse(v) as WatchCounterparty).p.includes('WSA'))
        .map(([id]) => id)
        .sort();
      return { former: pred.former, of };
    };
    assert.deepEqual(await held(wide), { former: 6, of: [1, 2, 3, 4, 5, 6].map(partner) });
    assert.deepEqual(await held(narrow), { former: 2, of: [partner(5), partner(6)] });

    const all = await watchOf(wide).explain('WSA', 'WSS', NOW);
    const few = await watchOf(narrow).explain('WSA', 'WSS', NOW);
    assert.ok(all && few);
    assert.equal(all.evidence.sharedCounterparties, 4, 'WSC1, WSC2, WSC3 and WSC6 were taken over');
    assert.equal(all.evidence.formerCounterparties, 6);
    assert.equal(few.evidence.sharedCounterparties, 1, 'only WSC6 is watched with a cap of 2');
    assert.equal(few.evidence.formerCounterparties, 2);
    assert.ok(few.score < all.score, `${few.score} < ${all.score}`);
  });

  test('ACCTNET_WATCH_YOUNG_DAYS: a 10-day-old account is a successor candidate at 14 days, not at 7', async () => {
    const link = await watchOf(young).explain('WSA', 'WSS', NOW);
    assert.ok(link, 'young at 14 days');
    assert.equal(link.evidence.riseKind, 'new');
    assert.equal(link.evidence.sharedCounterparties, 4);
    assert.equal(await watchOf(brief).explain('WSA', 'WSS', NOW), undefined);
    assert.equal((await watchOf(brief).diagnose('WSA', 'WSS', NOW)).stage, 'successor not young or surging');
    // The same account, asked about 5 days after its first transfer, is young under either setting.
    assert.ok(await watchOf(brief).explain('WSA', 'WSS', T0 + 37 * DAY));
  });

  test('ACCTNET_HUB_MIN_DEGREE: a candidate is a hub at that many distinct counterparties, a relation both ways counted once (as a run counts)', async () => {
    // WSS deals both ways with 4 accounts: 4 counterparties (8 directed relations).
    assert.ok(await watchOf(hubAt6).explain('WSA', 'WSS', NOW), 'not a hub at 6');
    assert.equal(await watchOf(hubAt4).explain('WSA', 'WSS', NOW), undefined);
    assert.equal((await watchOf(hubAt4).diagnose('WSA', 'WSS', NOW)).stage, 'successor not young or surging');
    // An account no run saw is read from the store the same way: 8 relations weigh it, 4 counterparties make it a hub or not.
    const seen = await accountsInRun({ config: s.config, driver: s.driver }, null, ['WSS', 'WSA'], T0, 4);
    assert.deepEqual(seen.get('WSS'), { d: 8, hub: true, cluster: null });
    assert.deepEqual(seen.get('WSA'), { d: 12, hub: true, cluster: null }, 'WSA: 6 counterparties both ways');
    assert.equal((await accountsInRun({ config: s.config, driver: s.driver }, null, ['WSS'], T0, 5)).get('WSS')!.hub, false);
  });

  test('ACCTNET_WATCH_TAKEOVER_MIN_SCORE: a takeover (two or more counterparties) needs only it; a link on one counterparty needs ACCTNET_WATCH_MIN_SCORE', async () => {
    // The same watch sets (prefixes) as above, other bars.
    const bars = (c: Config, minScore: number, takeoverMinScore: number): Config => ({
      ...c,
      watch: { ...c.watch, minScore, takeoverMinScore },
    });
    const at = T0 + 36 * DAY;
    const four = await watchOf(wide).explain('WSA', 'WSS', at);
    const one = await watchOf(narrow).explain('WSA', 'WSS', at);
    assert.ok(four && one);
    assert.equal(four.evidence.sharedCounterparties, 4);
    assert.equal(one.evidence.sharedCounterparties, 1);
    const stage = async (c: Config) => (await watchOf(c).diagnose('WSA', 'WSS', at)).stage;
    assert.equal(await stage(bars(wide, 1, four.score)), 'recorded');
    assert.equal(await stage(bars(wide, 1, four.score + 0.001)), 'score below the minimum');
    assert.equal(await stage(bars(narrow, 1, 0)), 'score below the minimum', 'one counterparty: the takeover bar does not apply');
    assert.equal(await stage(bars(narrow, one.score, 1)), 'recorded');

    // The ingest path records by the same bars: a job with WSS's last transfer.
    const job = [{ from: partner(6), to: 'WSS', at }];
    const above = await watchOf(bars(wide, 1, four.score + 0.001)).afterWrite(job);
    assert.equal(above.provisional, 0, 'below the takeover bar: nothing recorded');
    const reached = await watchOf(bars(wide, 1, four.score)).afterWrite(job);
    assert.equal(reached.provisional, 1, 'at the takeover bar, though far below ACCTNET_WATCH_MIN_SCORE');
  });

  test("a watch holds a generation's member ids in memory and reads them again when that generation is rebuilt", async () => {
    // Bars no link reaches: the jobs below are scored, nothing is recorded.
    const c = variant('rebuild', { youngDays: 14, minScore: 1, takeoverMinScore: 1 });
    assert.equal(await currentWatchSet({ config: c, driver: s.driver, redis: s.rt.redis() }), 0);
    const watch = watchOf(c);
    const job = [{ from: 'WSQ', to: 'WSS', at: T0 + 36 * DAY }];
    assert.equal((await watch.afterWrite(job)).evaluated, 0, 'WSQ is not in the set: nothing to score');
    // The same version built again (as after Redis lost the set), now with WSQ as a predecessor.
    const k = watchKeys(c.queue.prefix);
    await s.rt.redis().hset(k.pred(0), 'WSQ', (await s.rt.redis().hget(k.pred(0), 'WSA'))!);
    await s.rt.redis().hset(k.meta(0), 'builtAt', String(Date.now() + 1));
    assert.ok((await watch.afterWrite(job)).evaluated >= 1, 'the rebuilt generation is read again: WSQ → WSS is scored');
  });
  test('a predecessor with fewer than 3 transfers in the window has not fallen, in the watch as in a run', async () => {
    const stage = (await watchOf(wide).diagnose('WSF', 'WSG', NOW)).stage;
    assert.equal(stage, 'predecessor has too few transfers to fall');
    assert.equal(await watchOf(wide).explain('WSF', 'WSG', NOW), undefined);
    const k = watchKeys(wide.queue.prefix);
    assert.equal((JSON.parse((await s.rt.redis().hget(k.pred(0), 'WSF'))!) as WatchPredecessor).transfers, 2);
    // One more transfer and the same takeover is a link.
    const three = await watchOf(wide).explain('WSH', 'WSI', NOW);
    assert.ok(three, (await watchOf(wide).diagnose('WSH', 'WSI', NOW)).stage);
    assert.equal(three.evidence.sharedCounterparties, 2);
  });
});
