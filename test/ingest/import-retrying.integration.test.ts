// While Neo4j is away an import's jobs fail attempt after attempt and wait for BullMQ's backoff: the
// import says so (jobs retrying, and why) and the count returns to 0 once the writes succeed. Real
// Redis and a real Neo4j: the worker first writes through a driver pointed at a closed port (its
// Neo4j unreachable), then a worker on the test Neo4j takes the retries over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Worker } from 'bullmq';
import type { Driver } from 'neo4j-driver';
import { importFile, type ImportProgress } from '../../src/ingest/import-file.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { createDriver } from '../../src/neo4j/driver.js';
import { syntheticCsv } from '../helpers/data.js';
import { closedPort, ROOT, testLogger, tmpDir, until } from '../helpers/env.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

describe('import while Neo4j is unreachable: jobs retrying (real Redis and Neo4j)', () => {
  let s: TestServices;
  let unreachable: Driver;
  let workers: Worker[] = [];

  beforeEach(async () => {
    // Two jobs of 500 rows; retries 200 ms, 400 ms, … apart (testEnv's backoff), 13 attempts.
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: '500', ACCTNET_NEO4J_MAX_RETRY_MS: '300' });
    unreachable = createDriver({ ...s.config.neo4j, uri: `bolt://127.0.0.1:${await closedPort()}` }, { connectionTimeoutMs: 1000 });
    workers = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.close();
    await unreachable.close();
    await s.close();
  });

  /** A worker whose Neo4j does not answer: every attempt fails, the jobs go back for a retry. */
  async function brokenWorker(): Promise<Worker> {
    const w = createIngestWorker({ config: s.config, driver: unreachable, connection: s.rt.redis(), log: testLogger() });
    workers.push(w);
    await w.waitUntilReady();
    return w;
  }
  /** Neo4j is back: a worker on the test Neo4j takes the jobs at their next attempt. */
  async function recover(broken: Worker): Promise<void> {
    await broken.close();
    workers.push(createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() }));
  }

  test('the progress counts the jobs retrying after a failed attempt, with the error, and 0 once they are written', async () => {
    const data = await syntheticCsv(tmpDir('retrying'), { rows: 1000, accounts: 300, seed: 31 });
    const broken = await brokenWorker();
    let last: ImportProgress | undefined;
    let mostRetrying = 0;
    const done = importFile(
      { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() },
      {
        file: data.file,
        map: {},
        onProgress: (p) => {
          last = p;
          mostRetrying = Math.max(mostRetrying, p.retryingChunks);
        },
      },
    );
    await until(() => last?.retryingChunks === 2 && last.retryReason !== null, 30_000, 'both jobs to be retrying, with the error');
    assert.equal(last!.chunksDone, 0, 'nothing written while Neo4j is unreachable');
    assert.equal(last!.failedChunks, 0, 'retrying is not failed for good');
    assert.match(last!.retryReason!, /ECONNREFUSED|connect|unavailable/i, last!.retryReason!);

    await recover(broken);
    const summary = await done;
    assert.equal(summary.written, data.rows);
    assert.equal(summary.failedChunks.length, 0);
    assert.equal(mostRetrying, 2);
    assert.equal(last!.retryingChunks, 0, 'no job retries once they are written');
    assert.equal(last!.retryReason, null);
    assert.deepEqual(await countGraph(s.driver), { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });
  });

  test('`acctnet import` without a terminal logs a line when its jobs start retrying and one when none retries any more', async () => {
    const data = await syntheticCsv(tmpDir('retrying-cli'), { rows: 1000, accounts: 300, seed: 32 });
    // A connected worker: the CLI uses it rather than running its own.
    const broken = await brokenWorker();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'import', data.file], {
      env: s.env,
      cwd: tmpDir('retrying-cli-cwd'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(() => /^retrying: /m.test(stderr), 60_000, `the retrying line (stderr so far: ${stderr})`);
    } catch (err) {
      child.kill();
      throw err;
    }
    await recover(broken);
    const code = await exited;
    assert.equal(code, 0, stderr);
    const lines = stderr.split('\n');
    const start = lines.findIndex((l) => l.startsWith('retrying: '));
    const cleared = lines.findIndex((l) => l.startsWith('retries cleared: '));
    assert.match(
      lines[start]!,
      /^retrying: [12] ingest jobs? (is|are) retrying after a failed attempt \(.*(ECONNREFUSED|connect|unavailable).*\)\. The import waits: .* for up to \d+ (s|min) \(ACCTNET_JOB_ATTEMPTS=13, ACCTNET_JOB_BACKOFF_MS=200\)/i,
    );
    assert.ok(cleared > start, `the clearing line follows:\n${stderr}`);
    assert.match(stderr, /batch imp-\S+: 1000 rows read, 1000 written/);
  });
});
