// Redis restarted mid-import, without persistence (as on the development machines): the import
// finishes with exact counts — never a partial batch reported as done. The test runs its own
// redis-server on its own port; the shared one is never touched.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { importFile, type ImportProgress } from '../../src/ingest/import-file.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { testLogger, tmpDir } from '../helpers/env.js';
import { syntheticCsv } from '../helpers/data.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

const PORT = 6390 + Math.floor(Math.random() * 100);

function startRedis(): ChildProcess {
  const child = spawn(
    'redis-server',
    ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    {
      stdio: 'ignore',
    },
  );
  return child;
}

async function redisReady(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(PORT, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${PORT} did not start: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      probe.disconnect();
    }
  }
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`Redis restarted mid-import (own redis-server on port ${PORT})`, () => {
  let redis: ChildProcess | undefined;
  let s: TestServices;
  let worker: Worker | undefined;
  before(async () => {
    redis = startRedis();
    await redisReady();
    s = await openServices({ REDIS_URL: `redis://127.0.0.1:${PORT}`, ACCTNET_INGEST_BATCH_SIZE: '400', ACCTNET_WORKER_CONCURRENCY: '1' });
  });
  after(async () => {
    // Closing connections needs a Redis that answers: bring the test's own back if a test stopped it.
    if (!redis || redis.exitCode !== null || redis.signalCode !== null) {
      redis = startRedis();
      await redisReady();
    }
    await worker?.close();
    await s.close();
    await stopRedis(redis);
  });

  test('Redis loses every queued job mid-import: the lost jobs are enqueued again and the counts are exact', async () => {
    const data = await syntheticCsv(tmpDir('redis-restart'), { rows: 16000, accounts: 2500, seed: 31 });
    worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    let progress: ImportProgress | undefined;
    let restartedAfter = -1;
    const restart = (async () => {
      await until(() => (progress?.chunksDone ?? 0) >= 4, 120_000, 'the first jobs to be written');
      restartedAfter = progress!.chunksDone;
      await stopRedis(redis);
      await new Promise((r) => setTimeout(r, 1500));
      redis = startRedis();
      await redisReady();
    })();
    const summary = await importFile(
      { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() },
      { file: data.file, map: {}, onProgress: (p) => (progress = p) },
    );
    await restart;
    assert.ok(restartedAfter >= 4 && restartedAfter < 40, `restarted mid-import (after ${restartedAfter} of 40 jobs)`);
    assert.ok(summary.requeuedJobs >= 1, `the jobs Redis lost were enqueued again (${summary.requeuedJobs})`);
    assert.equal(summary.failedChunks.length, 0);
    assert.equal(summary.written, data.rows);
    assert.equal(summary.duplicates, 0);
    assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
    const status = (await s.rt.batches().status(summary.batchId))!;
    assert.equal(status.chunksDone, 40);
    assert.equal(status.written, data.rows);
  });
});
