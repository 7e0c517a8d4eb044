// Jobs that fail for good keep their rows in Neo4j, mark the batch failed with the reason, and
// `batches retry` writes them once the cause is fixed — even after BullMQ has dropped the failed
// jobs. Real Neo4j and Redis.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import { describeBatch } from '../../src/ingest/batch-report.js';
import { keepFailedSet, retryFailedJobs } from '../../src/ingest/failed-jobs.js';
import { importFile } from '../../src/ingest/import-file.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { isFailedNow } from '../../src/neo4j/repositories/failed-ingest-jobs.js';
import { testLogger, tmpDir, until } from '../helpers/env.js';
import { syntheticCsv } from '../helpers/data.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';
import { startIngestWorker } from '../../workers/ingest.js';

describe('failed ingest jobs (real Neo4j and Redis)', () => {
  let s: TestServices;
  let worker: Worker | undefined;
  // A storage-side failure every attempt repeats: no two job markers may count the same rows.
  const breakWrites = 'CREATE CONSTRAINT test_one_chunk_per_batch IF NOT EXISTS FOR (c:IngestChunk) REQUIRE c.received IS UNIQUE';
  const fixWrites = 'DROP CONSTRAINT test_one_chunk_per_batch IF EXISTS';
  beforeEach(async () => {
    s = await openServices({ ACCTNET_JOB_ATTEMPTS: '2', ACCTNET_INGEST_BATCH_SIZE: '500', ACCTNET_NEO4J_MAX_RETRY_MS: '3000' });
  });
  afterEach(async () => {
    await worker?.close();
    await s.driver.executeQuery(fixWrites);
    await s.close();
  });

  test('a job that fails for good is kept with its rows; the batch is failed; retry writes it exactly once', async () => {
    const data = await syntheticCsv(tmpDir('failed-jobs'), { rows: 2000, accounts: 400, seed: 21 });
    const batches = s.rt.batches();
    const queue = s.rt.ingestQueue();
    await s.driver.executeQuery(breakWrites);
    worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    const summary = await importFile({ config: s.config, queue, connection: s.rt.redis(), batches }, { file: data.file, map: {} });
    const id = summary.batchId;
    assert.equal(summary.failedChunks.length, 3, 'one job of four was written, three failed for good');
    assert.equal(summary.written, 500);

    // The worker keeps each failed job in Neo4j, with its rows and its error.
    await until(async () => (await batches.failed.ofBatch(id)).length === 3, 20_000, 'the failed jobs to be kept');
    const kept = await batches.failed.ofBatch(id);
    assert.ok(kept.every(isFailedNow));
    assert.ok(
      kept.every((j) => /test_one_chunk_per_batch|already exists/.test(j.reason)),
      kept[0]!.reason,
    );
    const payload = (await batches.failed.payload(id, kept[0]!.seq)) as { rows: unknown[] };
    assert.equal(payload.rows.length, 500);

    // BullMQ drops failed jobs after 14 days / 10,000 jobs: the batch stays failed, with the reason, from Neo4j alone.
    for (const j of kept) await (await queue.getJob(j.jobId))!.remove();
    assert.equal(await keepFailedSet(queue, batches.failed, testLogger()), 0, 'nothing left in the queue to keep');
    const report = (await describeBatch(batches, queue, id, { rejectedAfter: -1, rejectedLimit: 10 }))!;
    assert.equal(report.state, 'failed');
    assert.equal(report.jobs.failed, 3);
    assert.equal(report.jobs.pending, 0);
    assert.equal(report.failedJobs.length, 3);
    assert.ok(report.failedJobs.every((f) => f.reason.includes(`npx acctnet batches retry ${id}`)));

    // The cause is fixed; the retry re-enqueues the kept rows and they are written once.
    await s.driver.executeQuery(fixWrites);
    const retried = await retryFailedJobs(queue, batches, id);
    assert.equal(retried.requeued.length, 3);
    assert.equal(
      retried.requeued.reduce((n, j) => n + j.rows, 0),
      1500,
    );
    await until(async () => (await batches.failed.ofBatch(id)).length === 0, 60_000, 'the retried jobs to be written');
    const done = (await describeBatch(batches, queue, id, { rejectedAfter: -1, rejectedLimit: 10 }))!;
    assert.equal(done.state, 'done');
    assert.equal(done.written, data.rows);
    assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });

    // Nothing left to retry; running it again changes nothing.
    assert.equal((await retryFailedJobs(queue, batches, id)).requeued.length, 0);
    assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
  });

  test('a failed job the worker could not keep (Neo4j unreachable for it) is kept from the queue at the next worker start', async () => {
    const data = await syntheticCsv(tmpDir('failed-unkept'), { rows: 500, accounts: 200, seed: 22 });
    const batches = s.rt.batches();
    const queue = s.rt.ingestQueue();
    // A worker whose database does not exist: the job fails and the worker cannot keep it either.
    const broken = { ...s.config, neo4j: { ...s.config.neo4j, database: 'nosuchdatabase' } };
    worker = createIngestWorker({ config: broken, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    const summary = await importFile({ config: s.config, queue, connection: s.rt.redis(), batches }, { file: data.file, map: {} });
    assert.equal(summary.failedChunks.length, 1);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await batches.failed.ofBatch(summary.batchId)).length, 0);
    // The next worker start, through the worker process's own entry point (workers/ingest.ts).
    await worker.close();
    worker = await startIngestWorker(s.rt);
    const kept = await batches.failed.ofBatch(summary.batchId);
    assert.equal(kept.length, 1);
    assert.match(kept[0]!.reason, /nosuchdatabase/i);
  });
});
