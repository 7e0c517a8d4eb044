// One streamed import as an operator runs it — `acctnet worker` and `acctnet import FILE` as two
// processes — timed from the import's start to its exit, with each process's peak RSS and CPU
// (bench:ingest's end-to-end runs and its watch phase, bench/watch.ts).
import { Queue } from 'bullmq';
import { accountId } from '../dev/synth/background.js';
import type { Config } from '../src/config/index.js';
import { createDriver } from '../src/neo4j/driver.js';
import { createLabelRepository } from '../src/neo4j/repositories/labels.js';
import { applySchema } from '../src/neo4j/schema.js';
import { INGEST_QUEUE } from '../src/queue/ingest-queue.js';
import { createRedis } from '../src/redis/connection.js';
import { exitOf, neo4jPid, spawnCli, trackCpu, trackPeak } from './common.js';

export interface StreamedImport {
  seconds: number;
  peakMiB: { import: number; worker: number; neo4j: number };
  /** CPU seconds of each process over the import. */
  cpuSeconds: { import: number; worker: number; neo4j: number };
}

/**
 * `file` through a new worker (`childEnv`: its settings) into the bench Neo4j (`benchEnv` finds its
 * process); the import must exit with one of `exitCodes` (2: some rows rejected). The worker is
 * stopped and the queue emptied afterwards, whatever happened.
 */
export async function importThroughWorker(
  file: string,
  config: Config,
  childEnv: NodeJS.ProcessEnv,
  benchEnv: NodeJS.ProcessEnv,
  exitCodes: readonly number[],
): Promise<StreamedImport> {
  const worker = spawnCli(['worker'], childEnv);
  const workerPeak = trackPeak(worker.pid!);
  let workerErr = '';
  worker.stderr!.on('data', (d: Buffer) => (workerErr = (workerErr + d.toString()).slice(-4000)));
  worker.stdout!.resume();
  const redis = createRedis(config.redis.url);
  const queue = new Queue(INGEST_QUEUE, { connection: redis, prefix: config.queue.prefix });
  try {
    for (let i = 0; i < 600 && (await queue.getWorkersCount()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const neo4jPeak = trackPeak(neo4jPid(benchEnv)!);
    const neo4jCpu = trackCpu(neo4jPid(benchEnv)!);
    const workerCpu = trackCpu(worker.pid!);
    const started = performance.now();
    const importer = spawnCli(['import', file], childEnv);
    const importPeak = trackPeak(importer.pid!);
    const importCpu = trackCpu(importer.pid!);
    importer.stdout!.resume();
    let stderr = '';
    importer.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const code = await exitOf(importer);
    const seconds = (performance.now() - started) / 1000;
    const result: StreamedImport = {
      seconds,
      peakMiB: { import: importPeak.stop(), worker: workerPeak.stop(), neo4j: neo4jPeak.stop() },
      cpuSeconds: { import: importCpu.stop(), worker: workerCpu.stop(), neo4j: neo4jCpu.stop() },
    };
    if (!exitCodes.includes(code)) throw new Error(`import ${file} exited ${code}: ${stderr}; the worker said: ${workerErr}`);
    return result;
  } finally {
    if (worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGTERM');
      await exitOf(worker);
    }
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  }
}

/** Every 1/share-th account of the bench world labelled fraud (the schema applied first). */
export async function labelShareFraud(config: Config, share: number, accounts: number): Promise<void> {
  const driver = createDriver(config.neo4j);
  try {
    await applySchema(driver, config.neo4j);
    const step = Math.max(1, Math.round(1 / share));
    const labels = [];
    for (let n = 0; n < accounts; n += step)
      labels.push({ accountId: accountId('AC', n), label: 'fraud' as const, note: null, source: 'import', createdBy: 'bench' });
    await createLabelRepository(driver, config.neo4j).append(labels);
  } finally {
    await driver.close();
  }
}
