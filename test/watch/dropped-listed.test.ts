// The watch keeps accounts a run listed and a later run dropped (real Neo4j and Redis): a blocked
// account that dies loses the activity its score rested on, and that is when its successor rises.
// Such an account is watched unlisted: its successor is recorded for review, never auto-listed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BlacklistEntry } from '../../src/analysis/blacklist.js';
import type { VersionSource } from '../../src/neo4j/repositories/blacklist.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { createAnalysisRepository } from '../../src/neo4j/repositories/analysis.js';
import { runRecompute } from '../../src/runs/recompute.js';
import { createSuccessorWatch } from '../../src/watch/successor-watch.js';
import { buildWatchSet, watchKeys, watchSetInfo, type WatchPredecessor } from '../../src/watch/watch-set.js';
import type { SyntheticTransfer } from '../../dev/synth/background.js';
import type { Config } from '../../src/config/index.js';
import { testLogger } from '../helpers/env.js';
import { seedTransfers, transferMaker } from '../helpers/seed.js';
import { openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 3, 1);
const tx = transferMaker('dl', T0);

/**
 * Each of the accounts trades with its own five partners from day 0 to day 40; DA to DF fall silent at
 * day 30; DR trades until day 36 (after the run of day 35 dropped it).
 */
const ACCOUNTS = ['DA', 'DB', 'DC', 'DE', 'DF', 'DX', 'DL', 'DOLD', 'DW', 'DKEEP', 'DR'];
const untilDay = (a: string) => (['DA', 'DB', 'DC', 'DE', 'DF'].includes(a) ? 30 : a === 'DR' ? 37 : 40);
const partner = (a: string, k: number) => `${a}_P${k}`;
function history(): SyntheticTransfer[] {
  const out: SyntheticTransfer[] = [];
  for (const a of ACCOUNTS)
    for (let d = 0; d < untilDay(a); d++) out.push(d % 2 ? tx(partner(a, d % 5), a, d, 19, 45) : tx(a, partner(a, d % 5), d, 18, 35));
  return out;
}
const entry = (accountId: string, score = 0.9, reasons = ['TEST']): BlacklistEntry => ({ accountId, clusterId: null, score, reasons });

describe('the watch keeps accounts a run dropped from the list (real Neo4j and Redis)', () => {
  let s: TestServices;
  let preds: Map<string, WatchPredecessor>;
  const watchOf = (config: Config) =>
    createSuccessorWatch({ config, driver: s.driver, redis: s.rt.redis(), publish: s.rt.publishDeps(), log: testLogger() });
  /** S deals both ways with these counterparties from `day` on, a tenth of a day apart. */
  const dealsWith = (succ: string, cps: string[], day: number) =>
    cps.flatMap((c, j) => [tx(succ, c, day + j * 0.1, 18, 35), tx(c, succ, day + j * 0.1, 19, 45)]);
  /** Writes the transfers and lets the watch evaluate them, as an ingest job does. */
  const ingest = async (watch: ReturnType<typeof watchOf>, txs: SyntheticTransfer[], batch: string) => {
    await seedTransfers(s.driver, s.config, txs, batch);
    return watch.afterWrite(txs.map((t) => ({ from: t.from, to: t.to, at: t.at })));
  };
  const provisionalTo = async (succ: string) =>
    (
      await createSuccessorRepository(s.driver, s.config.neo4j).list({ statuses: ['provisional'], minScore: 0, after: null, limit: 50 })
    ).filter((l) => l.to === succ);

  before(async () => {
    s = await openServices();
    await seedTransfers(s.driver, s.config, history());
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    // Served in turn (no run behind them: each version's data time is its generation time).
    const serve = async (day: number, source: VersionSource, ids: string[], scoreOfA = 0.8) => {
      const version = await blacklist.nextVersionNumber();
      await blacklist.writeVersion({
        version,
        runId: null,
        source,
        generatedAt: T0 + day * DAY,
        entries: ids.map((id) =>
          id === 'DP'
            ? entry(id, 0.6, ['MIGRATED_FROM:DKEEP:0.667', 'PROVISIONAL'])
            : id === 'DM'
              ? entry(id, 1, ['MANUAL_INCLUDE', 'TEST'])
              : entry(id, id === 'DA' ? scoreOfA : 0.9),
        ),
        basedOn: null,
        added: ids.length,
        removed: 0,
      });
      await blacklist.serve(version);
    };
    await serve(5, 'recompute', ['DOLD', 'DKEEP']); // more than the migration's lag (30 days) before the latest data
    // A run's list also holds a provisional successor (DP) and a manual include (DM): not the run's own.
    await serve(25, 'recompute', ['DA', 'DB', 'DC', 'DE', 'DF', 'DX', 'DL', 'DKEEP', 'DR', 'DP', 'DM'], 0.7);
    await serve(26, 'watch', ['DA', 'DB', 'DC', 'DX', 'DL', 'DKEEP', 'DW']); // a successor the watch listed, then expired
    await serve(27, 'recompute', ['DA', 'DB', 'DC', 'DE', 'DF', 'DX', 'DL', 'DKEEP', 'DR'], 0.8);
    await serve(35, 'recompute', ['DKEEP', 'DC', 'DF']);
    await serve(36, 'recompute', ['DKEEP', 'DC', 'DF']); // a later run: the drop stays dated at day 35
    await blacklist.setOverride({ accountId: 'DX', action: 'exclude', reason: 'false positive', createdBy: 'test' });
    await createLabelRepository(s.driver, s.config.neo4j).append([
      { accountId: 'DL', label: 'legit', note: null, source: 'test', createdBy: 'test' },
    ]);
    await buildWatchSet({ config: s.config, driver: s.driver, redis: s.rt.redis() });
    const raw = await s.rt.redis().hgetall(watchKeys(s.config.queue.prefix).pred(6));
    preds = new Map(Object.entries(raw).map(([id, json]) => [id, JSON.parse(json) as WatchPredecessor]));
  });
  after(async () => {
    await s?.close();
  });

  test('dropped within the lag: watched unlisted, falling at its first listing; excluded, legit-labelled, older, watch-only, provisional and manual ones are not', () => {
    assert.deepEqual([...preds.keys()].sort(), ['DA', 'DB', 'DC', 'DE', 'DF', 'DKEEP', 'DR']);
    assert.equal(preds.get('DKEEP')!.listed, true);
    assert.equal(preds.get('DKEEP')!.dropped, undefined);
    const a = preds.get('DA')!;
    assert.equal(a.listed, false);
    assert.equal(a.dropped, true);
    assert.equal(a.score, 0.8, 'its last listed score (0.7 in the version before)');
    assert.equal(a.fallAt, T0 + 25 * DAY, 'being listed was its fall');
    assert.equal(a.droppedAt, T0 + 35 * DAY, 'dropped by the run version of day 35');
    assert.equal(a.former, 5);
  });

  test('the set counts them apart (acctnet_watch_set_size{kind="dropped"})', async () => {
    const info = await watchSetInfo(s.rt.redis(), s.config.queue.prefix);
    assert.equal(info?.predecessors, 7);
    assert.equal(info?.dropped, 4);
  });

  test("a dropped account's successor is recorded for review, not auto-listed", async () => {
    const watch = watchOf({ ...s.config, watch: { ...s.config.watch, autoList: true } });
    // DS opens on day 38 and takes over four of DA's partners.
    const takeover = dealsWith(
      'DS',
      [1, 2, 3, 4].map((k) => partner('DA', k)),
      38,
    );
    const outcome = await ingest(watch, takeover, 'takeover');
    assert.equal(outcome.provisional, 1, JSON.stringify(await watch.diagnose('DA', 'DS', takeover.at(-1)!.at)));
    assert.equal(outcome.autoListed, 0);
    const [link, ...more] = await provisionalTo('DS');
    assert.equal(more.length, 0);
    assert.equal(link?.from, 'DA');
    assert.equal(link?.listed, false);
    assert.match(link?.heldBecause ?? '', /not on the served list \(a later run dropped it\)/);
    const state = await createBlacklistRepository(s.driver, s.config.neo4j).state();
    assert.equal(state.servedVersion, 6, 'no version was published for it');
  });

  /** Both links' scores at `at`: the dropped predecessor's must be the stronger (else the test shows nothing). */
  const strongerDropped = async (watch: ReturnType<typeof watchOf>, drop: string, listed: string, succ: string, at: number) => {
    const fromDropped = await watch.explain(drop, succ, at);
    const fromListed = await watch.explain(listed, succ, at);
    assert.ok(
      fromDropped && fromListed && fromDropped.score > fromListed.score,
      `${drop}'s link is the stronger: ${fromDropped?.score} > ${fromListed?.score}`,
    );
  };

  test('a dropped account that traded after the run that dropped it has not fallen by its listing: its successor is not recorded', async () => {
    const watch = watchOf(s.config);
    // DR was dropped by the run of day 35 and traded until day 36; DS4 takes over four of its partners on day 38.
    const takeover = dealsWith(
      'DS4',
      [0, 1, 2, 3].map((k) => partner('DR', k)),
      38,
    );
    const outcome = await ingest(watch, takeover, 'takeover4');
    const trace = await watch.diagnose('DR', 'DS4', takeover.at(-1)!.at);
    assert.equal(trace.stage, 'predecessor traded after the run that dropped it', JSON.stringify(trace));
    assert.equal(outcome.provisional, 0);
    assert.deepEqual(await provisionalTo('DS4'), []);
  });

  test("a dropped predecessor's stronger link does not take a successor from a listed predecessor's link", async () => {
    const watch = watchOf(s.config);
    // DS2 opens on day 38 and takes over four of DB's partners (dropped) and three of DC's (listed), in one job.
    const takeover = dealsWith('DS2', [...[0, 1, 2, 3].map((k) => partner('DB', k)), ...[0, 1, 2].map((k) => partner('DC', k))], 38);
    await seedTransfers(s.driver, s.config, takeover, 'takeover2');
    const at = takeover.at(-1)!.at;
    await strongerDropped(watch, 'DB', 'DC', 'DS2', at);
    await watch.afterWrite(takeover.map((t) => ({ from: t.from, to: t.to, at: t.at })));
    assert.deepEqual(
      (await provisionalTo('DS2')).map((l) => l.from),
      ['DC'],
      JSON.stringify(await watch.diagnose('DC', 'DS2', at)),
    );
  });

  test("a listed predecessor's link found later supersedes a dropped predecessor's stronger one", async () => {
    const watch = watchOf(s.config);
    // DS3 takes over four of DE's partners (dropped) on day 38, then three of DF's (listed) on day 40.
    await ingest(
      watch,
      dealsWith(
        'DS3',
        [0, 1, 2, 3].map((k) => partner('DE', k)),
        38,
      ),
      'takeover3a',
    );
    assert.deepEqual(
      (await provisionalTo('DS3')).map((l) => l.from),
      ['DE'],
      'the dropped predecessor is the only one so far',
    );
    const second = dealsWith(
      'DS3',
      [0, 1, 2].map((k) => partner('DF', k)),
      40,
    );
    await seedTransfers(s.driver, s.config, second, 'takeover3b');
    const at = second.at(-1)!.at;
    await strongerDropped(watch, 'DE', 'DF', 'DS3', at);
    await watch.afterWrite(second.map((t) => ({ from: t.from, to: t.to, at: t.at })));
    assert.deepEqual(
      (await provisionalTo('DS3')).map((l) => l.from),
      ['DF'],
      JSON.stringify(await watch.diagnose('DF', 'DS3', at)),
    );
    assert.equal((await createSuccessorRepository(s.driver, s.config.neo4j).get('DE', 'DS3'))?.status, 'superseded');
  });
  test("the next run gives a dropped account the listed fall and confirms its successor; its weaker claim gives way to a listed account's", async () => {
    // DA stopped on day 29 and the data end on day 40: 11 silent days, not the 14 of a `stopped`
    // fall — only its listing (day 25) makes it a predecessor, in the watch and now in the run.
    const run = await runRecompute(
      { config: s.config, driver: s.driver, log: testLogger(), publish: { redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() } },
      { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null, jobId: null },
      () => {},
    );
    assert.equal(run.status, 'succeeded');
    const links = await createAnalysisRepository(s.driver, s.config.neo4j).migrations(run.runId, 0, 1000);
    const da = links.find((l) => l.from === 'DA');
    assert.ok(da, `the run links DA (links: ${links.map((l) => `${l.from}>${l.to}`).join(' ')})`);
    assert.equal(da.to, 'DS');
    assert.equal(da.evidence.fallKind, 'listed');
    assert.equal((await createSuccessorRepository(s.driver, s.config.neo4j).get('DA', 'DS'))?.status, 'confirmed');
    // DS2 took over more of DB's partners (dropped) than of DC's (listed): as in the watch, the run
    // gives DS2 to DC.
    assert.deepEqual(
      links.filter((l) => l.to === 'DS2').map((l) => l.from),
      ['DC'],
    );
    // DR traded after the run that dropped it: no fall by its listing, and no link.
    assert.ok(!links.some((l) => l.from === 'DR'), 'no link from DR');
  });

  test('after a rollback, the versions after the restored one are not counted as dropping anything', async () => {
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const successors = createSuccessorRepository(s.driver, s.config.neo4j);
    const since = T0 + 8 * DAY;
    const before = await successors.droppedListed((await blacklist.state()).servedVersion!, since);
    assert.ok(before.length > 0, 'something counts as dropped before the rollback (else the test shows nothing)');
    /** Serves the first version's list (day 5: DOLD, DKEEP) as a new version of `source`. */
    const serveFirstList = async (source: VersionSource, links: { restores?: number; basedOn?: number }) => {
      const version = await blacklist.nextVersionNumber();
      await blacklist.writeVersion({
        version,
        runId: null,
        source,
        generatedAt: T0 + 41 * DAY,
        entries: [entry('DOLD'), entry('DKEEP')],
        basedOn: links.basedOn ?? null,
        restores: links.restores ?? null,
        added: 0,
        removed: 0,
      });
      await blacklist.serve(version);
      return version;
    };
    // Roll back to the first version, older than the lag: the lists of days 25 to 36 came after it
    // and drop nothing the operator returned to.
    const version = await serveFirstList('rollback', { restores: 1 });
    assert.deepEqual(await successors.droppedListed(version, since), []);
    // A version published later under it (an override's) keeps the rollback's bound.
    const next = await serveFirstList('override', { basedOn: version });
    assert.deepEqual(await successors.droppedListed(next, since), []);
  });
});
