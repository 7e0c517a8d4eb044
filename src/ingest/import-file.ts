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
import { inputFile, readRows, type ColumnMap } from './read-rows.js';

export interface ImportOptions {
  file: string;
  format?: string;
  map: ColumnMap;
  /** Where rejected rows are written; default ./<file name>.<batch id>.rejects.csv */
  rejectsFile?: string;
  batchSize?: number;
  maxPending?: number;
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
  try {
    const source = fs.createReadStream(opts.file, { highWaterMark: 256 * 1024 });
    source.on('error', (err) => counter.destroy(err));
    source.pipe(counter);
    for await (const item of readRows(counter, format, opts.map)) {
      await producer.add(item);
    }
    await producer.finishReading();
    report();
    await producer.waitForAll(report);
  } finally {
    clearInterval(ticker);
    await producer.close();
  }
  report();

  const status = await deps.batches.status(batchId);
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
