// `acctnet import FILE`: stream a file through the ingest queue and wait until every row is written.
import type { ConnectionOptions, Queue } from 'bullmq';
import { stringify } from 'csv-stringify';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/index.js';
import type { IngestBatchRepository } from '../neo4j/repositories/ingest-batches.js';
import type { IngestJobData } from '../queue/ingest-queue.js';
import { BatchProducer, newBatchId, type BatchProgress, type FailedChunk } from './batch-producer.js';
import { StorageUnavailable } from '../errors.js';
import { createRedis, redactUrl } from '../redis/connection.js';
import { inputFile, readRows, type ColumnMap } from './read-rows.js';
import { RedisOutage, RedisOutageWatch } from './redis-outage.js';

export interface ImportOptions {
  file: string;
  format?: string;
  map: ColumnMap;
  /** Where rejected rows are written; default ./<file name>.<batch id>.rejects.csv */
  rejectsFile?: string;
  batchSize?: number;
  maxPending?: number;
  /** The currency of rows that name none (no currency column or an empty cell); default: the configured default. */
  currency?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress extends BatchProgress {
  bytesRead: number;
  bytesTotal: number;
}

export interface ImportSummary {
  batchId: string;
  file: string;
  rowsRead: number;
  written: number;
  duplicates: number;
  rejected: number;
  failedChunks: FailedChunk[];
  /** Jobs lost from the queue (Redis restarted without persistence) and enqueued again from memory. */
  requeuedJobs: number;
  rejectsFile: string | null;
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface ImportDeps {
  config: Config;
  queue: Queue<IngestJobData>;
  connection: ConnectionOptions;
  batches: IngestBatchRepository;
}

export async function importFile(deps: ImportDeps, opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { size, format } = inputFile(opts.file, opts.format);

  const batchId = newBatchId('imp');
  await deps.batches.create({ id: batchId, source: 'file', name: path.basename(opts.file) });
  const producer = new BatchProducer(deps, batchId, {
    batchSize: opts.batchSize ?? deps.config.ingest.batchSize,
    maxPending: opts.maxPending ?? deps.config.ingest.maxPending,
  });
  await producer.start();

  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytesRead += chunk.length;
      cb(null, chunk);
    },
  });
  const report = () => opts.onProgress?.({ ...producer.progress, bytesRead, bytesTotal: size });
  const ticker = setInterval(report, 250);
  const outage = new RedisOutageWatch(
    createRedis(deps.config.redis.url, { connectionName: `acctnet-import-watch:${batchId}` }),
    deps.config.ingest.redisWaitMs,
  );
  const source = fs.createReadStream(opts.file, { highWaterMark: 256 * 1024 });
  try {
    const work = (async () => {
      source.on('error', (err) => counter.destroy(err));
      source.pipe(counter);
      for await (const item of readRows(counter, format, opts.map)) {
        // The file's own currency fills rows that name none (the worker would apply the deployment's default).
        if (
          opts.currency &&
          item.kind === 'row' &&
          (item.fields.currency === undefined || item.fields.currency === null || item.fields.currency === '')
        )
          item.fields.currency = opts.currency;
        await producer.add(item);
      }
      await producer.finishReading();
      report();
      await producer.waitForAll(report);
    })();
    // Once the outage wins the race, the work may stay blocked on Redis (or fail when stopped).
    work.catch(() => {});
    await outage.race(work);
  } catch (err) {
    producer.stop();
    source.destroy();
    if (err instanceof RedisOutage) throw await importStopped(deps, opts.file, producer, err);
    // Anything else that stops the reading (a wrong header, a read error): a batch that enqueued
    // nothing is removed; one that did is marked failed with the reason (its jobs are still written).
    // (A job whose enqueueing was still in flight counts as enqueued: Redis may have stored it.)
    if (producer.progress.chunksQueued === 0 && producer.unfinished === 0) await deps.batches.removeUnused(batchId).catch(() => {});
    else await deps.batches.abort(batchId, `the import stopped: ${(err as Error).message}`).catch(() => {});
    throw err;
  } finally {
    clearInterval(ticker);
    outage.stop();
    await producer.close();
  }
  report();

  const status = await deps.batches.status(batchId);
  // Never a partial batch reported as done: every job is written or reported failed.
  const accounted = (status?.chunksDone ?? 0) + producer.failed.length;
  if (!status || accounted < producer.progress.chunksQueued) {
    throw new Error(
      `acctnet/ingest: batch ${batchId} is incomplete: ${status?.chunksDone ?? 0} of ${producer.progress.chunksQueued} jobs written and ${producer.failed.length} failed; run the same import again (rows already stored count as duplicates)`,
    );
  }
  const summary: ImportSummary = {
    batchId,
    file: opts.file,
    rowsRead: producer.progress.rowsRead,
    written: status?.written ?? producer.progress.written,
    duplicates: status?.duplicates ?? producer.progress.duplicates,
    rejected: status?.rejected ?? producer.progress.rejected,
    failedChunks: producer.failed,
    requeuedJobs: producer.progress.requeuedJobs,
    rejectsFile: null,
    elapsedMs: Date.now() - started,
    rowsPerSecond: 0,
  };
  summary.rowsPerSecond = Math.round(summary.rowsRead / Math.max(summary.elapsedMs / 1000, 0.001));
  if (summary.rejected > 0) {
    const target = opts.rejectsFile ?? path.resolve(`${path.basename(opts.file)}.${batchId}.rejects.csv`);
    await writeRejectsFile(deps.batches, batchId, target);
    summary.rejectsFile = target;
  }
  return summary;
}

/** Thrown when Redis stayed unreachable longer than ACCTNET_IMPORT_REDIS_WAIT_MS: what happened and what to do. */
export class ImportStopped extends StorageUnavailable {
  constructor(
    message: string,
    readonly batchId: string,
  ) {
    super(message);
    this.name = 'ImportStopped';
  }
}

/** Marks the batch failed in Neo4j and says what was enqueued, what Neo4j holds, and how to finish. */
async function importStopped(deps: ImportDeps, file: string, producer: BatchProducer, outage: RedisOutage): Promise<ImportStopped> {
  const p = producer.progress;
  const status = await deps.batches.status(producer.batchId).catch(() => null);
  const written = status
    ? `${status.chunksDone} written to Neo4j (${status.written} rows new, ${status.duplicates} already stored, ${status.rejected} rejected)`
    : 'how many were written is unknown (Neo4j did not answer either)';
  const reason = `the import stopped: Redis (${redactUrl(deps.config.redis.url)}) was unreachable for ${Math.round(outage.downMs / 1000)} s (ACCTNET_IMPORT_REDIS_WAIT_MS=${deps.config.ingest.redisWaitMs})`;
  await deps.batches.abort(producer.batchId, reason).catch(() => {});
  return new ImportStopped(
    [
      `${reason}.`,
      `Batch ${producer.batchId}: ${p.rowsRead} rows read from ${file}, ${p.chunksQueued} jobs enqueued, ${written}; it is marked failed.`,
      `Nothing written is lost. To finish: bring Redis back (redis-cli ping), then run the same import again (npx acctnet import ${file} …): rows already stored count as duplicates, so the counts come out exact.`,
    ].join('\n'),
    producer.batchId,
  );
}

export async function writeRejectsFile(
  batches: IngestBatchRepository,
  batchId: string,
  target: string | NodeJS.WritableStream,
): Promise<void> {
  async function* rows() {
    for await (const r of batches.allRejectedRows(batchId)) yield [r.line, r.txId ?? '', r.reason, r.raw];
  }
  const csv = stringify({ header: true, columns: ['line', 'tx_id', 'reason', 'raw'] });
  await pipeline(rows(), csv, typeof target === 'string' ? fs.createWriteStream(target) : target);
}
