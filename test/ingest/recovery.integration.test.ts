// Losing nothing and duplicating nothing when a worker is SIGKILLed or Neo4j restarts mid-ingest.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { importFile, type ImportProgress } from '../../src/ingest/import-file.js';
import { startLocalNeo4j, stopLocalNeo4j } from '../../src/neo4j/local.js';
import { ROOT, testLogger, tmpDir, until } from '../helpers/env.js';
import { syntheticCsv } from '../helpers/data.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

function startWorkerProcess(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', () => {});
  return child;
}

describe('recovery (real processes, real Neo4j and Redis)', () => {
  let s: TestServices;
  beforeEach(async () => {
    // A write gives up retrying after 2 s (default 30 s), so a Neo4j restart fails job attempts and
    // BullMQ's retries with backoff, not only the driver's own, carry the import across it.
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: '400', ACCTNET_WORKER_CONCURRENCY: '2', ACCTNET_NEO4J_MAX_RETRY_MS: '2000' });
  });
  afterEach(async () => {
    await s.close();
  });

  test('a worker SIGKILLed mid-import and restarted loses nothing and duplicates nothing', async () => {
    const data = await syntheticCsv(tmpDir('sigkill'), { rows: 20000, accounts: 3000, seed: 11 });
    let worker = startWorkerProcess(s.env);
    let progress: ImportProgress | undefined;
    let killedAt = -1;
    let activeAtKill = 0;
    const killer = (async () => {
      await until(() => (progress?.chunksDone ?? 0) >= 5, 120_000, 'the first jobs to be written', 50);
      // Kill while the worker holds a job: the kill interrupts a write, not an idle worker.
      const deadline = Date.now() + 60_000;
      while ((activeAtKill = await s.rt.ingestQueue().getActiveCount()) === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      killedAt = progress!.chunksDone;
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      await new Promise((r) => setTimeout(r, 500));
      worker = startWorkerProcess(s.env);
    })();
    try {
      const summary = await importFile(
        { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() },
        { file: data.file, map: {}, onProgress: (p) => (progress = p) },
      );
      await killer;
      assert.ok(killedAt >= 5 && killedAt < 50, `killed mid-import (after ${killedAt} of 50 jobs)`);
      assert.ok(activeAtKill >= 1, 'a job was being written when the worker was killed');
      assert.equal(summary.failedChunks.length, 0);
      assert.equal(summary.written + summary.duplicates, data.rows);
      assert.equal(summary.written, data.rows, 'no row counted twice: a replayed job reports its stored outcome');
      assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
    } finally {
      worker.kill('SIGTERM');
    }
  });

  test('Neo4j stopped and started mid-ingest: retries with backoff, counts exact', async (t) => {
    if (process.env.ACCTNET_TEST_MANAGED_NEO4J !== '1') {
      t.skip('ACCTNET_TEST_NEO4J_URI names an external Neo4j that the tests cannot restart');
      return;
    }
    const data = await syntheticCsv(tmpDir('restart'), { rows: 16000, accounts: 2500, seed: 12 });
    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    const failedAttempts: string[] = [];
    worker.on('failed', (job, err) => failedAttempts.push(`${job?.id}: ${err.message.slice(0, 120)}`));
    let progress: ImportProgress | undefined;
    let restartedAfter = -1;
    const restart = (async () => {
      await until(() => (progress?.chunksDone ?? 0) >= 4, 120_000, 'the first jobs to be written', 50);
      restartedAfter = progress!.chunksDone;
      await stopLocalNeo4j(s.config, () => {});
      await new Promise((r) => setTimeout(r, 3000));
      await startLocalNeo4j(s.config, () => {});
    })();
    try {
      const summary = await importFile(
        { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() },
        { file: data.file, map: {}, onProgress: (p) => (progress = p) },
      );
      await restart;
      assert.ok(restartedAfter >= 4 && restartedAfter < 40, `restarted mid-import (after ${restartedAfter} of 40 jobs)`);
      assert.ok(failedAttempts.length >= 1, 'at least one job attempt failed while Neo4j was away and was retried');
      assert.equal(summary.failedChunks.length, 0, failedAttempts.join('; '));
      assert.equal(summary.written, data.rows);
      assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
    } finally {
      await restart.catch(() => {});
      await worker.close();
    }
  });
});
