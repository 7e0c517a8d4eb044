// The successor watch's publications against the real Neo4j and Redis: a watch change that meets
// another holder of the publication lock is republished by that holder as the watch (held while a
// version is pinned, never served as an override); an override under a pin carries no new
// provisional successor; a watch publication that fails (Neo4j unreachable) is retried from the
// "blacklist-publish" queue until the successor is served.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import { createPublishWorker } from '../../src/blacklist/publish-worker.js';
import {
  inputCounters,
  publicationLock,
  publishFollowUps,
  publishVersion,
  type Publication,
  type PublishDeps,
} from '../../src/blacklist/publish.js';
import { createDriver } from '../../src/neo4j/driver.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createSuccessorRepository, successorKey } from '../../src/neo4j/repositories/successors.js';
import { withServedListing } from '../../src/watch/listing-state.js';
import { publishSuccessors } from '../../src/watch/successor-watch.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';
import { testLogger } from '../helpers/env.js';
import { handEvidence } from '../helpers/evidence.js';

const evidence = handEvidence({ sharedCounterparties: 3, counterpartyOverlap: 0.6 });

describe('successor watch publications (real Neo4j and Redis)', () => {
  let s: AnalysedServices;
  let deps: PublishDeps;
  let predecessor = '';
  const blacklist = () => createBlacklistRepository(s.driver, s.config.neo4j);
  const successors = () => createSuccessorRepository(s.driver, s.config.neo4j);
  const served = async () => {
    const state = await blacklist().state();
    return { state, entries: state.servedVersion === null ? [] : await blacklist().entries(state.servedVersion) };
  };
  /** A provisional successor of the predecessor, recorded and listed as the watch does (before its publication). */
  async function listSuccessor(to: string): Promise<void> {
    const now = Date.now();
    await successors().record(
      { from: predecessor, to, score: 0.9, listScore: 0.9, fallAt: now - 86_400_000, riseAt: now, depth: 1, evidence },
      now,
    );
    await successors().setListing(successorKey(predecessor, to), true, null, now);
  }

  before(async () => {
    s = await openAnalysedServices({ ACCTNET_GUARD_MIN_SIZE: '100000' });
    deps = s.rt.publishDeps();
    const { entries } = await served();
    // The highest-scored listed account: its successor's score (its score × 0.9) passes the list threshold.
    predecessor = [...entries].sort((a, b) => b.score - a.score || (a.accountId < b.accountId ? -1 : 1))[0]!.accountId;
    assert.ok(predecessor, 'the analysed world serves a list');
  });
  after(async () => {
    await s?.close();
  });

  test('under a pin, a watch change meeting a lock holder is held as a watch version; an override carries no new successor', async () => {
    const before = await served();
    const pin = await publishVersion(deps, { source: 'pin', version: before.state.servedVersion! });
    const pinned = pin.pinned!;
    try {
      await listSuccessor('SUCC_PINNED');
      // Another publication holds the lock; the watch's own publication gives up waiting for it.
      await publicationLock(deps, async (fence) => {
        const seen = await inputCounters(deps);
        const version = await publishSuccessors({
          config: s.config,
          driver: s.driver,
          publish: deps,
          log: testLogger(),
          publishWaitMs: 200,
        });
        assert.equal(version, null, 'the watch did not get the lock');
        // The holder, before it lets go, publishes what changed meanwhile.
        const result: Publication = {
          version: null,
          previous: pinned,
          served: pinned,
          pinned,
          publication: 'unchanged',
          heldBecause: null,
          count: 0,
          added: 0,
          removed: 0,
          followUps: [],
        };
        const done = await publishFollowUps(deps, fence, seen, result);
        assert.equal(done.followUps.length, 1, 'one follow-up publication');
        const v = (await blacklist().get(done.followUps[0]!))!;
        assert.equal(v.source, 'watch', 'republished as the watch, not as an override');
        assert.equal(v.status, 'held', 'held while a version is pinned');
      });
      const afterWatch = await served();
      assert.equal(afterWatch.state.servedVersion, pinned, 'the pinned version is still served');
      assert.ok(!afterWatch.entries.some((e) => e.accountId === 'SUCC_PINNED'));

      // An investigator's override is served under the pin — without the successor the pin holds back.
      const include = 'OVERRIDE_UNDER_PIN';
      await blacklist().setOverride({ accountId: include, action: 'include', reason: 'test', createdBy: 'test' });
      const o = await publishVersion(deps, { source: 'override' });
      assert.equal(o.publication, 'served');
      const afterOverride = await served();
      assert.ok(
        afterOverride.entries.some((e) => e.accountId === include),
        'the override is served',
      );
      assert.ok(
        !afterOverride.entries.some((e) => e.accountId === 'SUCC_PINNED'),
        'a successor recorded under the pin is not carried by an override',
      );
      await blacklist().deleteOverride(include);
    } finally {
      await blacklist().setPin(null);
    }
    // Without the pin, the watch's next publication serves it.
    const v = await publishSuccessors({ config: s.config, driver: s.driver, publish: deps, log: testLogger() });
    assert.ok(v !== null);
    assert.ok((await served()).entries.some((e) => e.accountId === 'SUCC_PINNED' && e.reasons.includes('PROVISIONAL')));
  });

  test("a served provisional successor stays down to the release score; a new one needs the threshold; margin off releases it — the run's settings, not the publishing process's", async () => {
    await listSuccessor('SUCC_STAYS');
    assert.ok((await publishSuccessors({ config: s.config, driver: s.driver, publish: deps, log: testLogger() })) !== null);
    const stays = (await served()).entries.find((e) => e.accountId === 'SUCC_STAYS');
    assert.ok(stays && stays.reasons.includes('PROVISIONAL'), 'served as a provisional successor');
    // The same link for an account the served list does not hold: the same list score, not served.
    await listSuccessor('SUCC_UNSERVED');
    const margin = s.config.analysis.listReleaseMargin!;
    assert.ok(margin > 0.02, 'the default margin');
    // The list's bar and release score are the run's (recorded with it): as if the served run had
    // been made with a threshold just above the successors' list score.
    const runId = (await blacklist().get((await served()).state.servedVersion!))!.runId!;
    const params = async () =>
      JSON.parse(
        (
          await s.driver.executeQuery('MATCH (r:Run {id: $runId}) RETURN r.params AS p', { runId }, { database: s.config.neo4j.database })
        ).records[0]!.get('p') as string,
      ) as Record<string, unknown>;
    const setParams = (p: Record<string, unknown>) =>
      s.driver.executeQuery(
        'MATCH (r:Run {id: $runId}) SET r.params = $p',
        { runId, p: JSON.stringify(p) },
        { database: s.config.neo4j.database },
      );
    const original = await params();
    const threshold = stays.score + 0.02;
    // The publishing process (an override through an API) was started with other settings: they do not count.
    const other: PublishDeps = {
      ...deps,
      config: { ...deps.config, analysis: { ...deps.config.analysis, threshold: 0.01, listReleaseMargin: null } },
    };
    const include = 'OVERRIDE_RELEASE';
    await blacklist().setOverride({ accountId: include, action: 'include', reason: 'test', createdBy: 'test' });
    try {
      await setParams({ ...original, threshold, releaseScore: threshold - margin });
      assert.equal((await publishVersion(other, { source: 'override' })).publication, 'served');
      const held = (await served()).entries;
      assert.ok(held.some((e) => e.accountId === include));
      assert.deepEqual(
        held.find((e) => e.accountId === 'SUCC_STAYS'),
        stays,
        "the served successor stays, its score unchanged, below the run's threshold but above its release score",
      );
      assert.ok(!held.some((e) => e.accountId === 'SUCC_UNSERVED'), "a successor not served yet needs the run's threshold");
      // Investigators are told why by the same bar, whatever the process they ask was started with.
      const [why] = await withServedListing(s.driver, other.config, [(await successors().get(predecessor, 'SUCC_UNSERVED'))!]);
      assert.equal(why!.listed, false);
      assert.ok(
        why!.heldBecause?.includes(`below ACCTNET_BLACKLIST_THRESHOLD=${threshold} (the served run's)`),
        why!.heldBecause ?? 'no reason',
      );

      await blacklist().deleteOverride(include);
      await setParams({ ...original, threshold, releaseScore: null });
      assert.equal((await publishVersion(other, { source: 'override' })).publication, 'served');
      const released = (await served()).entries;
      assert.ok(!released.some((e) => e.accountId === 'SUCC_STAYS'), "with the run's margin off, its threshold alone decides");
      assert.ok(!released.some((e) => e.accountId === 'SUCC_UNSERVED'));
    } finally {
      await blacklist().deleteOverride(include);
      await setParams(original);
    }
    // With the run's own settings both come back (their list score passes its threshold).
    assert.equal((await publishVersion(deps, { source: 'override' })).publication, 'served');
    const back = (await served()).entries.map((e) => e.accountId);
    assert.ok(back.includes('SUCC_STAYS') && back.includes('SUCC_UNSERVED'), "the run's threshold admits both again");
  });

  test('a watch publication that fails (Neo4j unreachable) is retried from the queue until the successor is served', async () => {
    // The ingest worker's view of Neo4j is down; the publish worker's is not.
    const down = createDriver({ ...s.config.neo4j, uri: 'bolt://127.0.0.1:1', maxRetryTimeMs: 300 }, { connectionTimeoutMs: 500 });
    let worker: Worker | undefined;
    try {
      await listSuccessor('SUCC_RETRY');
      const version = await publishSuccessors({
        config: s.config,
        driver: down,
        publish: { ...deps, driver: down },
        log: testLogger(),
        publishWaitMs: 1_000,
      });
      assert.equal(version, null, 'the publication failed');
      assert.ok(!(await served()).entries.some((e) => e.accountId === 'SUCC_RETRY'));
      const queued = await deps.publishQueue!.getJobCounts('delayed', 'waiting');
      assert.equal(queued.delayed! + queued.waiting!, 1, 'one retry queued');

      worker = createPublishWorker({ publish: deps, connection: s.rt.redis(), log: testLogger() });
      for (let k = 0; k < 200 && !(await served()).entries.some((e) => e.accountId === 'SUCC_RETRY'); k++)
        await new Promise((r) => setTimeout(r, 100));
      const after = await served();
      const entry = after.entries.find((e) => e.accountId === 'SUCC_RETRY');
      assert.ok(entry, 'the retry served the successor');
      assert.deepEqual(entry.reasons.at(-1), 'PROVISIONAL');
      assert.equal((await blacklist().get(after.state.servedVersion!))!.source, 'watch');
    } finally {
      await worker?.close();
      await down.close();
    }
  });
});
