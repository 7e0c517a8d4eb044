// Incremental runs against the real Neo4j and Redis (src/runs/incremental.ts): a run that starts
// from the previous run's snapshot and reads only what ingest wrote since gives the same results as
// a full load — every AccountResult, ClusterResult, MIGRATED_TO and blacklist candidate — with one
// more day of data, a back-dated import and a batch that writes more chunks after the snapshot; a
// run on unchanged data reads no transfer; `recompute --full` and anything the snapshot cannot
// account for (a deletion outside ingest, retention inside the window) load in full.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QueueEvents, type Worker } from 'bullmq';
import neo4j from 'neo4j-driver';
import type { SyntheticTransfer } from '../../dev/synth/background.js';
import { createWorld } from '../../dev/synth/world.js';
import { validationRules } from '../../src/ingest/rules.js';
import { writeIngestChunk } from '../../src/ingest/write-chunk.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createRetentionRepository } from '../../src/neo4j/repositories/retention.js';
import { RECOMPUTE_QUEUE, requestRecompute } from '../../src/queue/recompute-queue.js';
import { runAnalysisJob, type AnalysisJobResult } from '../../src/runs/analysis-job.js';
import { loadRunWindow } from '../../src/runs/incremental.js';
import { createRecomputeWorker } from '../../src/runs/recompute-worker.js';
import type { RunSummary } from '../../src/runs/recompute.js';
import { testLogger } from '../helpers/env.js';
import { openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;

describe('incremental runs (real Neo4j and Redis)', () => {
  let s: TestServices;
  let events: QueueEvents;
  let worker: Worker | undefined;
  let all: SyntheticTransfer[];
  let lastDay: SyntheticTransfer[];
  let backDated: SyntheticTransfer[];
  let base: SyntheticTransfer[];
  let runNo = 0;
  /** The back-dated import's first part: every other one of its transfers (the rest, written later, interleaves in time). */
  const lateFirst = () => backDated.filter((_, k) => k % 2 === 0);

  /** Writes transfers through the ingest write path as chunks seq, seq+1, … of a batch. */
  async function ingest(batchId: string, rows: SyntheticTransfer[], seq = 0, size = 4000): Promise<void> {
    for (let k = 0; k < rows.length; k += size) {
      const job = {
        batchId,
        seq: seq++,
        rejected: [],
        rows: rows.slice(k, k + size).map((t, line) => ({
          line,
          fields: {
            tx_id: t.txId,
            from_account: t.from,
            to_account: t.to,
            amount: t.amount,
            currency: t.currency,
            timestamp: t.at,
            channel: t.channel,
          },
        })),
      };
      await writeIngestChunk(s.driver, s.config.neo4j, job, validationRules(s.config));
    }
  }
  /** A batch whose producer has read everything: `chunks` jobs (its set of chunks is complete once they are written). */
  const declareBatch = (id: string, chunks: number) =>
    s.driver.executeQuery('CREATE (:IngestBatch {id: $id, source: "file", name: $id, createdAt: 0, expectedChunks: $n, expectedRows: 0})', {
      id,
      n: neo4j.int(chunks),
    });

  /** One analysis (no publication), the cluster id counter put back afterwards so two runs see the same context. */
  async function analyse(full: boolean): Promise<{ runId: string; result: AnalysisJobResult }> {
    const seq = await s.driver.executeQuery("MATCH (q:Sequence {name: 'clusterId'}) RETURN q.value AS v");
    const runId = `run-inc-${++runNo}`;
    const result = await runAnalysisJob({ config: s.config, runId, runSeq: 1000 + runNo, asOf: null, full }, () => {});
    const v = seq.records[0]?.get('v');
    if (v !== undefined) await s.driver.executeQuery("MATCH (q:Sequence {name: 'clusterId'}) SET q.value = $v", { v });
    return { runId, result };
  }

  /** Everything a run wrote or hands to publication, without its run id and the load's own counts. */
  async function results(r: { runId: string; result: AnalysisJobResult }) {
    const q = async (query: string) =>
      (await s.driver.executeQuery(query, { runId: r.runId })).records.map((x) => JSON.stringify(x.toObject()));
    const counts = { ...r.result.counts };
    for (const k of ['transfersRead', 'snapshotRows', 'loadIncremental']) delete counts[k];
    return {
      accounts: await q(
        'MATCH (x:AccountResult {runId: $runId}) RETURN x.accountId AS a, x.clusterId AS c, x.role AS role, x.score AS score, x.reasons AS reasons, x.review AS review, x.metrics AS metrics ORDER BY a',
      ),
      clusters: await q(
        'MATCH (c:ClusterResult {runId: $runId}) RETURN c.clusterId AS id, c.size AS size, c.type AS type, c.score AS score, c.reasons AS reasons, c.notes AS notes, c.evidence AS evidence, c.members AS members, c.isNew AS isNew ORDER BY id',
      ),
      migrations: await q(
        'MATCH (a)-[m:MIGRATED_TO {runId: $runId}]->(b) RETURN a.id AS f, b.id AS t, m.score AS score, m.fallAt AS fall, m.riseAt AS rise, m.evidence AS evidence ORDER BY f, t',
      ),
      candidates: r.result.candidates,
      counts,
      warnings: r.result.warnings,
      model: { ...r.result.model, seconds: 0 },
      asOf: r.result.asOf,
    };
  }

  async function assertSame(a: { runId: string; result: AnalysisJobResult }, b: { runId: string; result: AnalysisJobResult }) {
    const x = await results(a);
    const y = await results(b);
    assert.ok(x.accounts.length > 500, `accounts written: ${x.accounts.length}`);
    assert.ok(x.clusters.length > 10, `clusters: ${x.clusters.length}`);
    assert.ok(x.candidates.length > 0, 'blacklist candidates');
    assert.deepEqual(x.accounts, y.accounts, 'AccountResult');
    assert.deepEqual(x.clusters, y.clusters, 'ClusterResult');
    assert.deepEqual(x.migrations, y.migrations, 'MIGRATED_TO');
    assert.deepEqual(x.candidates, y.candidates, 'blacklist candidates');
    assert.deepEqual(x.counts, y.counts, 'counts');
    assert.deepEqual(x.warnings, y.warnings, 'warnings');
    assert.deepEqual(x.model, y.model, 'model card');
    assert.equal(x.asOf, y.asOf);
    return x;
  }

  before(async () => {
    s = await openServices({ ACCTNET_GUARD_MIN_SIZE: '100000' });
    const world = createWorld({ seed: 11, accounts: 1500, activity: 0.6, currency: 'USD', days: 150 });
    all = [...world.transfers()];
    const end = Math.max(...all.map((t) => t.at));
    // Shorter than the window (180 days): every transfer is in every run's window, so counts are exact.
    assert.ok(end - Math.min(...all.map((t) => t.at)) < 170 * DAY);
    lastDay = all.filter((t) => t.at > end - DAY);
    const older = all.filter((t) => t.at <= end - DAY);
    // Every 40th older transfer arrives late, in its own import (back-dated: its data time is weeks old).
    backDated = older.filter((_, k) => k % 40 === 7);
    base = older.filter((_, k) => k % 40 !== 7);
    await declareBatch('base', Math.ceil(base.length / 4000));
    await ingest('base', base);
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
    await s.rt.recomputeQueue().setGlobalConcurrency(1);
    worker = createRecomputeWorker({
      config: s.config,
      driver: s.driver,
      redis: s.rt.redis(),
      webhookQueue: s.rt.webhookQueue(),
      log: testLogger(),
    });
  });
  after(async () => {
    await worker?.close();
    await events.close();
    await s.close();
  });

  async function recompute(full = false): Promise<RunSummary> {
    const r = await requestRecompute(s.rt.recomputeQueue(), {
      trigger: 'cli',
      requestedBy: 'test',
      requestedAt: Date.now(),
      asOf: null,
      ...(full ? { full: true } : {}),
    });
    const job = await s.rt.recomputeQueue().getJob(r.jobId);
    return (await job!.waitUntilFinished(events, 180_000)) as RunSummary;
  }

  test('the first run loads in full and keeps a snapshot; --full forces a full load', async () => {
    const first = await recompute();
    assert.equal(first.status, 'succeeded');
    assert.equal(first.load?.mode, 'full');
    assert.match(first.load!.reason, /no snapshot/);
    assert.equal(first.load!.snapshot.saved, true);
    assert.equal(first.counts.transfersRead, base.length);
    const forced = await recompute(true);
    assert.equal(forced.load?.mode, 'full');
    assert.match(forced.load!.reason, /forced/);
    assert.equal(forced.counts.transfersRead, base.length);
    // A published current run: the next runs map their clusters onto its stable ids.
    assert.equal(forced.status, 'succeeded');
  });

  test('unchanged data: the incremental run reads no transfer and equals a full load', async () => {
    const inc = await analyse(false);
    assert.equal(inc.result.load?.mode, 'incremental', inc.result.load?.reason);
    assert.equal(inc.result.counts.transfersRead, 0);
    assert.equal(inc.result.counts.snapshotRows, base.length);
    const full = await analyse(true);
    assert.equal(full.result.load?.mode, 'full');
    assert.equal(full.result.counts.transfersRead, base.length);
    await assertSame(inc, full);
  });

  test('one more day and a back-dated import: the incremental run reads only them and equals a full load', async () => {
    await declareBatch('day', Math.ceil(lastDay.length / 4000));
    await ingest('day', lastDay);
    // The back-dated import's batch stays open (it never says how many chunks it has): its rows are tagged.
    await ingest('late', lateFirst(), 0, 300);
    const inc = await analyse(false);
    assert.equal(inc.result.load?.mode, 'incremental', inc.result.load?.reason);
    assert.equal(inc.result.counts.transfersRead, lastDay.length + lateFirst().length);
    const full = await analyse(true);
    const r = await assertSame(inc, full);
    assert.ok(r.migrations.length > 0, 'migrations found');
  });

  test('an open batch writing more chunks after the snapshot: its rows are replaced, not added twice', async () => {
    // The rest of the back-dated batch, interleaved in time with what it wrote before.
    const rest = backDated.filter((_, k) => k % 2 === 1);
    const firstSeq = Math.ceil(lateFirst().length / 300);
    await ingest('late', rest, firstSeq, 300);
    const inc = await analyse(false);
    assert.equal(inc.result.load?.mode, 'incremental', inc.result.load?.reason);
    const lo = Math.min(...rest.map((t) => t.at));
    const hi = Math.max(...rest.map((t) => t.at));
    // Everything of the batch within the new chunks' time range, including the rows it wrote before.
    assert.equal(inc.result.counts.transfersRead, backDated.filter((t) => t.at >= lo && t.at <= hi).length);
    assert.ok(inc.result.counts.transfersRead! > rest.length);
    const full = await analyse(true);
    assert.equal(full.result.counts.transfersRead, all.length);
    assert.equal(inc.result.counts.snapshotRows! + inc.result.counts.transfersRead!, all.length);
    await assertSame(inc, full);
  });

  test('a deletion outside ingest or retention inside the window: the next run loads in full and says why', async () => {
    await s.driver.executeQuery('MATCH ()-[t:TRANSFER {txId: $id}]->() DELETE t', { id: lastDay[0]!.txId });
    const afterDelete = await analyse(false);
    assert.equal(afterDelete.result.load?.mode, 'full');
    assert.match(afterDelete.result.load!.reason, /expected from the snapshot/);
    assert.ok(afterDelete.result.warnings.some((w) => w.startsWith('full load instead of an incremental one')));
    const inc = await analyse(false);
    assert.equal(inc.result.load?.mode, 'incremental');
    assert.equal(inc.result.counts.transfersRead, 0);
    // Retention deleting old transfers inside the window (a prune of transfers older than 10 days ago).
    const asOf = Math.max(...all.map((t) => t.at));
    const deleted = await createRetentionRepository(s.driver, s.config.neo4j).bulk('transfers', { before: asOf - 10 * DAY, held: [] });
    assert.ok(deleted > 0);
    const afterPrune = await analyse(false);
    assert.equal(afterPrune.result.load?.mode, 'full');
    assert.match(afterPrune.result.load!.reason, /retention deleted transfers inside the window/);
  });

  test('an ingest committing while the run loads: the run keeps no snapshot, the next one reads that chunk', async () => {
    const driver = neo4j.driver(s.config.neo4j.uri, neo4j.auth.basic(s.config.neo4j.user, s.config.neo4j.password), {
      disableLosslessIntegers: true,
    });
    try {
      const asOf = Math.max(...all.map((t) => t.at));
      const window = { from: asOf - 180 * DAY + 1, to: asOf };
      const raced = await loadRunWindow(driver, s.config, window, {
        afterRows: () => ingest('race', [{ ...lastDay[1]!, txId: 'race-1', at: asOf - 3_600_000 }]),
      });
      assert.equal(raced.mode, 'incremental', raced.reason);
      assert.equal(raced.transfersRead, 0);
      assert.equal(raced.snapshot.saved, false);
      assert.match(raced.snapshot.reason!, /ingest committed while the run loaded/);
      const next = await loadRunWindow(driver, s.config, window);
      assert.equal(next.mode, 'incremental', next.reason);
      assert.equal(next.transfersRead, 1);
      assert.equal(next.snapshot.saved, true);
    } finally {
      await driver.close();
    }
  });

  test('the settings act: ACCTNET_INCREMENTAL=off, ACCTNET_FULL_LOAD_EVERY_DAYS, ACCTNET_SNAPSHOT_DIR', async () => {
    const driver = neo4j.driver(s.config.neo4j.uri, neo4j.auth.basic(s.config.neo4j.user, s.config.neo4j.password), {
      disableLosslessIntegers: true,
    });
    const withAnalysis = (over: Partial<typeof s.config.analysis>) => ({ ...s.config, analysis: { ...s.config.analysis, ...over } });
    try {
      const asOf = Math.max(...all.map((t) => t.at));
      const window = { from: asOf - 180 * DAY + 1, to: asOf };
      const first = await loadRunWindow(driver, s.config, window);
      assert.equal(first.mode, 'incremental', first.reason);
      // off: a full load although a trusted snapshot is there.
      const off = await loadRunWindow(driver, withAnalysis({ incremental: false }), window);
      assert.equal(off.mode, 'full');
      assert.equal(off.reason, 'ACCTNET_INCREMENTAL=off');
      // The scheduled full load: the snapshot's last full load is "days" old at a clock that many days on.
      const later = Date.now() + 2 * DAY + 60_000;
      const keep = await loadRunWindow(driver, withAnalysis({ fullLoadEveryDays: 3 }), window, { now: later });
      assert.equal(keep.mode, 'incremental', keep.reason);
      const due = await loadRunWindow(driver, withAnalysis({ fullLoadEveryDays: 2 }), window, { now: later });
      assert.equal(due.mode, 'full');
      assert.match(due.reason, /^scheduled: .*ACCTNET_FULL_LOAD_EVERY_DAYS=2/);
      // Another snapshot directory holds no snapshot yet: a full load, whose snapshot lands there.
      const dir = path.join(s.config.analysis.snapshotDir, 'elsewhere');
      const other = await loadRunWindow(driver, withAnalysis({ snapshotDir: dir }), window);
      assert.equal(other.mode, 'full');
      assert.match(other.reason, /no snapshot/);
      assert.ok(fs.readdirSync(dir).length > 0);
      const again = await loadRunWindow(driver, withAnalysis({ snapshotDir: dir }), window);
      assert.equal(again.mode, 'incremental', again.reason);
    } finally {
      await driver.close();
    }
  });
});
