// Recompute runs against the real Neo4j and Redis: publication, stable ids, overrides, failure,
// the publish guard, coalescing and the schedule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Worker } from 'bullmq';
import { administer } from '../../src/blacklist/admin.js';
import { publishVersion } from '../../src/blacklist/publish.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { RECOMPUTE_QUEUE, requestRecompute, syncSchedule, SCHEDULER_ID } from '../../src/queue/recompute-queue.js';
import { createRecomputeWorker } from '../../src/runs/recompute-worker.js';
import { pruneOldResults, type RecomputeDeps, type RunSummary } from '../../src/runs/recompute.js';
import { createWorld, type World } from '../../dev/synth/world.js';
import { startRecomputeWorker } from '../../workers/recompute.js';
import { testLogger } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';
import { openServices, type TestServices } from '../helpers/services.js';

describe('recompute (real Neo4j and Redis)', () => {
  let s: TestServices;
  let world: World;
  let events: QueueEvents;
  let worker: Worker | undefined;
  const runs = () => createRunRepository(s.driver, s.config.neo4j);
  const blacklist = () => createBlacklistRepository(s.driver, s.config.neo4j);

  const startWorker = (config: Config = s.config) => {
    worker = createRecomputeWorker({ config, driver: s.driver, redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue(), log: testLogger() });
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = undefined;
  };
  async function recompute(): Promise<RunSummary> {
    const r = await requestRecompute(s.rt.recomputeQueue(), { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null });
    const job = await s.rt.recomputeQueue().getJob(r.jobId);
    return (await job!.waitUntilFinished(events, 180_000)) as RunSummary;
  }

  before(async () => {
    s = await openServices({ ACCTNET_GUARD_MIN_SIZE: '100000' });
    world = createWorld({ seed: 5, accounts: 1200, activity: 0.6, currency: 'USD' });
    await seedTransfers(s.driver, s.config, world.transfers());
    const fraud = world.truth
      .filter((a) => a.fraud)
      .map((a) => a.id)
      .sort();
    await createLabelRepository(s.driver, s.config.neo4j).append(
      fraud
        .slice(0, Math.ceil(fraud.length / 3))
        .map((accountId) => ({ accountId, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    events = new QueueEvents(RECOMPUTE_QUEUE, { connection: s.rt.redis(), prefix: s.config.queue.prefix });
    await events.waitUntilReady();
    // As a recompute worker process starts (workers/recompute.ts): the queue's global concurrency of 1, no schedule.
    await syncSchedule(s.rt.recomputeQueue(), { ...s.config, analysis: { ...s.config.analysis, cron: null } });
  });
  after(async () => {
    await stopWorker();
    await events.close();
    await s.close();
  });

  test('a run publishes clusters, migrations and a served blacklist version, with timings per step', async () => {
    startWorker();
    const summary = await recompute();
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.publication, 'served');
    assert.ok(summary.counts.clusters! > 10, `clusters ${summary.counts.clusters}`);
    assert.ok(summary.counts.blacklistEntries! > 0);
    const run = (await runs().get(summary.runId))!;
    assert.equal(run.status, 'succeeded');
    for (const step of ['load', 'graph', 'centrality', 'communities', 'typology', 'migration', 'risk', 'write', 'blacklist']) {
      assert.equal(typeof run.timings[step], 'number', `timing of ${step}`);
    }
    assert.equal(await runs().currentRunId(), summary.runId);
    const state = await blacklist().state();
    assert.equal(state.servedVersion, summary.blacklistVersion);
    const entries = await blacklist().entries(state.servedVersion!);
    assert.equal(entries.length, summary.counts.blacklistEntries);
    const labelled = new Set((await createLabelRepository(s.driver, s.config.neo4j).current()).keys());
    assert.ok(
      entries.some((e) => labelled.has(e.accountId)),
      'labelled fraud is listed',
    );
    const asOf = Date.parse(summary.asOf!);
    assert.equal(
      asOf,
      Math.max(...[...createWorld({ seed: 5, accounts: 1200, activity: 0.6, currency: 'USD' }).transfers()].map((t) => t.at)),
      'asOf is the latest transfer, not the wall clock',
    );
  });

  test('a second run over the same data keeps every cluster id and the same list', async () => {
    const state = await blacklist().state();
    const before = await blacklist().entries(state.servedVersion!);
    const previousRun = (await blacklist().get(state.servedVersion!))!.runId!;
    const summary = await recompute();
    assert.equal(summary.counts.clustersNew, 0);
    assert.equal(summary.counts.clustersKept, summary.counts.clusters);
    const after = await blacklist().entries(summary.blacklistVersion!);
    assert.deepEqual(after, before);
    // Read back, not from the run's own counts: every cluster has the id it had, with the same members.
    const clusters = async (runId: string) =>
      (
        await s.driver.executeQuery(
          'MATCH (c:ClusterResult {runId: $runId}) RETURN c.clusterId AS id, c.size AS size, c.members AS members ORDER BY id',
          {
            runId,
          },
        )
      ).records.map((r) => `${r.get('id') as string}:${String(r.get('size'))}:${(r.get('members') as string[]).join(',')}`);
    const was = await clusters(previousRun);
    assert.ok(was.length > 10, `clusters ${was.length}`);
    assert.deepEqual(await clusters(summary.runId), was);
  });

  test('overrides survive the next recompute: include with clusterId null and MANUAL_INCLUDE, exclude removed', async () => {
    const served = await blacklist().entries((await blacklist().state()).servedVersion!);
    const excluded = served[0]!.accountId;
    const included = world.truth.find((a) => !a.fraud && !served.some((e) => e.accountId === a.id))!.id;
    await blacklist().setOverride({ accountId: excluded, action: 'exclude', reason: 'known merchant', createdBy: 'test' });
    await blacklist().setOverride({ accountId: included, action: 'include', reason: 'confirmed mule', createdBy: 'test' });
    const summary = await recompute();
    const entries = await blacklist().entries(summary.blacklistVersion!);
    assert.ok(!entries.some((e) => e.accountId === excluded));
    assert.deepEqual(
      entries.find((e) => e.accountId === included),
      { accountId: included, clusterId: null, score: 1, reasons: ['MANUAL_INCLUDE'] },
    );
    await blacklist().deleteOverride(excluded);
    await blacklist().deleteOverride(included);
    // As the API does after a change of overrides: publish.
    await publishVersion(s.rt.publishDeps(), { source: 'override' });
  });

  test('a failing run changes nothing that is served', async () => {
    const servedBefore = await blacklist().state();
    const runBefore = await runs().currentRunId();
    // A real failure: the analysis thread runs out of its configured heap.
    await stopWorker();
    startWorker({ ...s.config, analysis: { ...s.config.analysis, heapMb: 8 } });
    try {
      await assert.rejects(recompute(), /ran out of memory \(ACCTNET_ANALYSIS_HEAP_MB=8\)/);
      const failed = (await runs().list(Number.MAX_SAFE_INTEGER, 1))[0]!;
      assert.equal(failed.status, 'failed');
      assert.match(failed.error!, /ran out of memory/);
      assert.deepEqual(await blacklist().state(), servedBefore);
      assert.equal(await runs().currentRunId(), runBefore);
    } finally {
      await stopWorker();
    }
  });

  test('the list holds a listed account until its score falls below the threshold minus ACCTNET_LIST_RELEASE_MARGIN (STILL_LISTED)', async () => {
    startWorker();
    const first = await recompute();
    await stopWorker();
    const before = await blacklist().entries(first.blacklistVersion!);
    // A threshold above half of the run's own entries, with a margin back to the threshold they were listed at.
    const own = before.filter(
      (e) => e.reasons[0] !== 'MANUAL_INCLUDE' && !e.reasons.includes('LABELLED_FRAUD') && !e.reasons.includes('PROVISIONAL'),
    );
    const scores = [...new Set(own.map((e) => e.score))].sort((x, y) => x - y);
    assert.ok(scores.length >= 4, `the run's own entries have ${scores.length} distinct scores`);
    const raised = scores[Math.floor(scores.length / 2)]!;
    const margin = Math.round((raised - s.config.analysis.threshold) * 1000) / 1000;
    const below = own.filter((e) => e.score < raised).map((e) => e.accountId);
    assert.ok(below.length > 0);
    const env = { ...s.env, ACCTNET_BLACKLIST_THRESHOLD: String(raised) };

    startWorker(loadConfig({ ...env, ACCTNET_LIST_RELEASE_MARGIN: String(margin) }));
    const held = await recompute();
    await stopWorker();
    const heldEntries = await blacklist().entries(held.blacklistVersion!);
    assert.deepEqual(
      heldEntries.map((e) => e.accountId),
      before.map((e) => e.accountId),
      'the same data, a higher threshold: every listed account stays',
    );
    // The run's results carry the reason; gateways see no change (the marker alone, the same scores).
    const session = s.driver.session();
    try {
      const marked = (
        await session.run("MATCH (r:AccountResult {runId: $runId}) WHERE 'STILL_LISTED' IN r.reasons RETURN r.accountId AS id", {
          runId: held.runId,
        })
      ).records.map((r) => r.get('id') as string);
      assert.deepEqual(marked.sort(), [...below].sort());
    } finally {
      await session.close();
    }
    assert.equal(held.counts.stillListed, below.length, "the run's counts say how many it kept");
    assert.deepEqual([held.counts.blacklistAdded, held.counts.blacklistRemoved], [0, 0]);
    // An override's publication rebuilds the list from the run's results: the held entries stay.
    await publishVersion(s.rt.publishDeps(), { source: 'override' });
    const served = await blacklist().entries((await blacklist().state()).servedVersion!);
    assert.deepEqual(
      served.map((e) => e.accountId),
      before.map((e) => e.accountId),
    );

    // Off: the run's own list, at the raised threshold.
    startWorker(loadConfig({ ...env, ACCTNET_LIST_RELEASE_MARGIN: 'off' }));
    const off = await recompute();
    await stopWorker();
    const offIds = (await blacklist().entries(off.blacklistVersion!)).map((e) => e.accountId);
    for (const id of below) assert.ok(!offIds.includes(id), `${id} is released with the hysteresis off`);
    assert.ok(offIds.length > 0);
  });

  test('the guard holds a version that changes too much; approve serves it; rollback pins an earlier one', async () => {
    const strict = { ...s.config, analysis: { ...s.config.analysis, guard: { maxSizeChange: 0.2, maxChurn: 0.2, minServedSize: 1 } } };
    startWorker(strict);
    const served = (await blacklist().state()).servedVersion!;
    // Investigators label many more accounts: the list grows far beyond 20%.
    const more = world.truth
      .filter((a) => a.fraud)
      .map((a) => a.id)
      .sort();
    await createLabelRepository(s.driver, s.config.neo4j).append(
      more.map((accountId) => ({ accountId, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    await createLabelRepository(s.driver, s.config.neo4j).append(
      world.truth
        .filter((a) => a.victim)
        .map((a) => ({ accountId: a.id, label: 'fraud' as const, note: 'mistake', source: 'test', createdBy: 'test' })),
    );
    const summary = await recompute();
    assert.equal(summary.publication, 'held');
    assert.match(summary.heldBecause!, /size|churn/);
    assert.equal((await blacklist().state()).servedVersion, served, 'the held version is not served');
    assert.equal((await blacklist().get(summary.blacklistVersion!))!.status, 'held');

    const admin = { keyId: 'test', name: 'test', role: 'admin' };
    // Nobody overrode anything since the run: the held version itself is served.
    await administer(s.rt.publishDeps(), admin, 'blacklist.approve', summary.blacklistVersion!);
    assert.equal((await blacklist().state()).servedVersion, summary.blacklistVersion);

    // Versions only go up: the rollback publishes a new version with the old list, and pins it.
    const rolled = await administer(s.rt.publishDeps(), admin, 'blacklist.rollback', served);
    const state = await blacklist().state();
    assert.ok(rolled.published! > summary.blacklistVersion!);
    assert.deepEqual([state.servedVersion, state.pinnedVersion], [rolled.published, rolled.published]);
    assert.equal((await blacklist().get(rolled.published!))!.restores, served);
    assert.deepEqual(await blacklist().entries(rolled.published!), await blacklist().entries(served));
    const next = await recompute();
    assert.equal(next.publication, 'held');
    assert.match(next.heldBecause!, /pinned/);
    await administer(s.rt.publishDeps(), admin, 'blacklist.unpin', null);
    await stopWorker();
  });

  test('requests coalesce while one waits; a request during a run queues exactly one follow-up; runs never overlap', async () => {
    const queue = s.rt.recomputeQueue();
    const data = { trigger: 'api' as const, requestedBy: 'test', requestedAt: Date.now(), asOf: null };
    const a = await requestRecompute(queue, data);
    const b = await requestRecompute(queue, data);
    assert.equal(b.jobId, a.jobId);
    assert.equal(b.coalesced, true);
    startWorker();
    // A second worker (as a second `acctnet worker` process would run): only the queue's global concurrency keeps it from starting the follow-up beside the run.
    const second = createRecomputeWorker(
      { config: s.config, driver: s.driver, redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue(), log: testLogger() },
      { name: 'second' },
    );
    try {
      const job = (await queue.getJob(a.jobId))!;
      for (let k = 0; k < 200 && (await job.getState()) !== 'active'; k++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await job.getState(), 'active');
      const c = await requestRecompute(queue, data);
      const d = await requestRecompute(queue, data);
      assert.notEqual(c.jobId, a.jobId, 'a request during the run is a new job');
      assert.equal(d.jobId, c.jobId, 'and further requests join it');
      await job.waitUntilFinished(events, 180_000);
      await (await queue.getJob(c.jobId))!.waitUntilFinished(events, 180_000);
      const list = (await runs().list(Number.MAX_SAFE_INTEGER, 50)).sort((x, y) => x.startedAt - y.startedAt);
      assert.ok(list.length >= 2, `runs ${list.length}`);
      for (let k = 1; k < list.length; k++) {
        assert.ok(list[k]!.startedAt >= list[k - 1]!.finishedAt!, `${list[k - 1]!.id} and ${list[k]!.id} overlap`);
      }
    } finally {
      await second.close();
      await stopWorker();
    }
  });

  test('the schedule is upserted, never duplicated; a new cron replaces it; off removes it', async () => {
    const queue = s.rt.recomputeQueue();
    await syncSchedule(queue, s.config);
    await syncSchedule(queue, s.config);
    assert.equal(await queue.getGlobalConcurrency(), 1, 'one run at a time across every worker process');
    let schedulers = await queue.getJobSchedulers();
    assert.equal(schedulers.length, 1);
    assert.equal(schedulers[0]!.key, SCHEDULER_ID);
    assert.equal(schedulers[0]!.pattern, '0 2 * * *');
    await syncSchedule(queue, { ...s.config, analysis: { ...s.config.analysis, cron: '30 3 * * *' } });
    schedulers = await queue.getJobSchedulers();
    assert.equal(schedulers.length, 1);
    assert.equal(schedulers[0]!.pattern, '30 3 * * *');
    await syncSchedule(queue, { ...s.config, analysis: { ...s.config.analysis, cron: null } });
    assert.equal((await queue.getJobSchedulers()).length, 0);
    // The worker `acctnet recompute --wait` starts in its own process when none is connected leaves
    // the schedule alone (the deployment turned it off here); a deployment's worker sets it.
    const once = await startRecomputeWorker(s.rt, { name: 'cli-once', schedule: false });
    try {
      assert.equal((await queue.getJobSchedulers()).length, 0);
      assert.equal(await queue.getGlobalConcurrency(), 1);
    } finally {
      await once.close();
    }
    const deployed = await startRecomputeWorker(s.rt, { name: 'deployed' });
    try {
      assert.equal((await queue.getJobSchedulers()).length, 1);
    } finally {
      await deployed.close();
      await syncSchedule(queue, { ...s.config, analysis: { ...s.config.analysis, cron: null } });
    }
  });

  test('ACCTNET_KEEP_RUNS: the newest runs keep their per-account results, older ones only their record', async () => {
    // The API processes' setting, read as an operator sets it (the test services' own variables plus this one).
    startWorker(loadConfig({ ...s.env, ACCTNET_KEEP_RUNS: '2' }));
    await recompute();
    const last = await recompute();
    await stopWorker();
    const session = s.driver.session();
    try {
      const kept = (await session.run('MATCH (r:AccountResult) RETURN collect(DISTINCT r.runId) AS ids')).records[0]!.get(
        'ids',
      ) as string[];
      const newest = (await runs().list(Number.MAX_SAFE_INTEGER, 50))
        .filter((r) => r.status === 'succeeded')
        .sort((x, y) => y.startedAt - x.startedAt)
        .slice(0, 2)
        .map((r) => r.id);
      assert.equal(newest[0], last.runId);
      assert.deepEqual(kept.sort(), newest.sort(), 'exactly the two newest runs keep results');
    } finally {
      await session.close();
    }
  });

  test('pruning keeps the newest succeeded runs and the served run however many runs failed since', async () => {
    const session = s.driver.session();
    const resultRuns = async () =>
      ((await session.run('MATCH (r:AccountResult) RETURN collect(DISTINCT r.runId) AS ids')).records[0]!.get('ids') as string[]).sort();
    try {
      const before = await resultRuns();
      assert.equal(before.length, 2, 'the two runs kept by the test above');
      const served = await runs().currentRunId();
      assert.ok(served && before.includes(served));
      // 250 failed on-demand runs since (more than a page of runs), the last one "running" now.
      await session.run(
        `MATCH (r:Run) WITH max(r.seq) AS top
         UNWIND range(1, 250) AS k
         CREATE (:Run {id: 'pruning-failed-' + k, seq: top + k, status: 'failed', startedAt: timestamp(), finishedAt: timestamp()})`,
      );
      const config = { ...s.config, analysis: { ...s.config.analysis, keepRuns: 3 } };
      await pruneOldResults({ config, driver: s.driver } as RecomputeDeps, 'pruning-failed-250');
      assert.deepEqual(await resultRuns(), before, 'the two newest succeeded runs (the served one among them) keep their results');
    } finally {
      await session.run("MATCH (r:Run) WHERE r.id STARTS WITH 'pruning-failed-' DELETE r");
      await session.close();
    }
  });
});
