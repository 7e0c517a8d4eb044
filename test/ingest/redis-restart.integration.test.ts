// Redis restarted mid-import, without persistence (as on the development machines): the import
// finishes with exact counts — never a partial batch reported as done. Redis gone for longer than
// ACCTNET_IMPORT_REDIS_WAIT_MS: `acctnet import` exits 69 with the batch id and what to do, the batch
// reads failed, and doing what it says gives exact counts. The test runs its own redis-server on its
// own port; the shared one is never touched.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { importFile, type ImportProgress } from '../../src/ingest/import-file.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { describeBatch } from '../../src/ingest/batch-report.js';
import { ROOT, testLogger, tmpDir, until } from '../helpers/env.js';
import { syntheticCsv } from '../helpers/data.js';
import { countGraph, openServices, wipeGraph, type TestServices } from '../helpers/services.js';
import { ownRedisPort, redisReady, startRedis, stopRedis } from '../helpers/own-redis.js';

const PORT = ownRedisPort(6390, 100);

describe(`Redis restarted mid-import (own redis-server on port ${PORT})`, () => {
  let redis: ChildProcess | undefined;
  let s: TestServices;
  let worker: Worker | undefined;
  before(async () => {
    redis = startRedis(PORT);
    await redisReady(PORT);
    s = await openServices({ REDIS_URL: `redis://127.0.0.1:${PORT}`, ACCTNET_INGEST_BATCH_SIZE: '400', ACCTNET_WORKER_CONCURRENCY: '1' });
  });
  after(async () => {
    // Closing connections needs a Redis that answers: bring the test's own back if a test stopped it.
    if (!redis || redis.exitCode !== null || redis.signalCode !== null) {
      redis = startRedis(PORT);
      await redisReady(PORT);
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
      await until(() => (progress?.chunksDone ?? 0) >= 4, 120_000, 'the first jobs to be written', 50);
      restartedAfter = progress!.chunksDone;
      await stopRedis(redis);
      await new Promise((r) => setTimeout(r, 1500));
      redis = startRedis(PORT);
      await redisReady(PORT);
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
  test('Redis gone for longer than ACCTNET_IMPORT_REDIS_WAIT_MS: import exits 69 with the batch and what to do; doing it gives exact counts', async (t) => {
    await worker?.close(); // the CLI runs its own worker, as it does when none is connected
    worker = undefined;
    await wipeGraph(s.driver);
    const data = await syntheticCsv(tmpDir('redis-gone'), { rows: 16000, accounts: 2500, seed: 37 });
    const env = { ...s.env, ACCTNET_IMPORT_REDIS_WAIT_MS: '3000', ACCTNET_INGEST_BATCH_SIZE: '400', ACCTNET_WORKER_CONCURRENCY: '1' };
    const run = () => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'import', data.file, '--json'], {
        env,
        cwd: tmpDir('redis-gone-cwd'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (b) => (stdout += b));
      child.stderr!.on('data', (b) => (stderr += b));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      return { exited, out: () => stdout, err: () => stderr };
    };
    const chunksWritten = async () =>
      Number((await s.driver.executeQuery('MATCH (c:IngestChunk) RETURN count(c) AS n')).records[0]!.get('n'));

    const first = run();
    let exitCode: number | null | undefined;
    void first.exited.then((c) => (exitCode = c));
    const deadline = Date.now() + 120_000;
    while ((await chunksWritten()) < 3) {
      assert.ok(exitCode === undefined, `the import ended before Redis was stopped: ${first.err()}`);
      assert.ok(Date.now() < deadline, 'the first jobs were written');
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopRedis(redis);
    const stoppedAt = Date.now();
    const code = await first.exited;
    const took = Date.now() - stoppedAt;
    const stderr = first.err();
    t.diagnostic(`import exited ${took} ms after Redis went away (ACCTNET_IMPORT_REDIS_WAIT_MS=3000)`);
    assert.equal(code, 69, stderr);
    // 3 s of waiting, then at most the bounded close after an outage (2 s) and some slack.
    assert.ok(took >= 3000 && took < 10_000, `stopped ${took} ms after Redis went away`);
    const batchId = /Batch (imp-\S+):/.exec(stderr)?.[1];
    assert.ok(batchId, stderr);
    assert.match(
      stderr,
      /the import stopped: Redis \(redis:\/\/127\.0\.0\.1:\d+\/?\) was unreachable for \d+ s \(ACCTNET_IMPORT_REDIS_WAIT_MS=3000\)/,
    );
    assert.match(
      stderr,
      /\d+ rows read from .*, \d+ jobs enqueued, \d+ written to Neo4j \(\d+ rows new, 0 already stored, 0 rejected\); it is marked failed/,
    );
    assert.match(stderr, /run the same import again/);
    assert.equal(first.out(), '', 'no summary was printed as if it were done');
    const written = await countGraph(s.driver);
    assert.ok(written.transfers < data.rows, `a partial batch (${written.transfers} of ${data.rows})`);

    redis = startRedis(PORT);
    await redisReady(PORT);
    const report = (await describeBatch(s.rt.batches(), s.rt.ingestQueue(), batchId, { rejectedAfter: 0, rejectedLimit: 10 }))!;
    assert.equal(report.state, 'failed');
    assert.match(report.aborted!, /unreachable for \d+ s/);

    // What the message says to do: the same import again.
    const second = run();
    assert.equal(await second.exited, 0, second.err());
    const summary = JSON.parse(second.out().split('\n')[0]!);
    assert.equal(summary.written + summary.duplicates, data.rows);
    assert.equal(summary.duplicates, written.transfers, 'the rows written before the outage count as duplicates');
    assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
  });
});
