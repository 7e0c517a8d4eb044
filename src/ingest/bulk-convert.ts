// Converts a transaction file into the files of Neo4j's offline importer, deciding every row the way
// the streaming path decides it (docs/ingest.md, "Bulk back-fill"):
// - the same reader (readRows: CSV/NDJSON, --map), cut into jobs of ACCTNET_INGEST_BATCH_SIZE rows
//   exactly as BatchProducer cuts them, each classified by the worker's own classifyRows (validation,
//   in-job duplicates and conflicts, the same reasons and raw text);
// - a tx_id seen in an earlier job is what the worker finds "already stored": the same content is a
//   duplicate, other content a conflict with the worker's reason. Jobs are taken in file order, so the
//   first occurrence in the file wins (a streaming import with concurrency > 1 may let a later job
//   commit first);
// - one IngestChunk record per job with that job's counts and its RejectedRows, one IngestBatch.
// The file is read by several threads at once when it is larger than one range (bulk-ranges.ts):
// each reads its ranges with the same reader and checks each row (bulk-convert-worker.ts); this
// thread takes their results in file order and does what depends on earlier rows (jobs, repeated
// tx_ids, first transfer times). A range its thread cannot read (a file whose quotes do not pair up
// is cut in the wrong places) makes the conversion start over in one pass, which stops where the
// streaming path stops and says the same.
// Memory: the tx_ids seen (with the byte offset of their line, read back on a repeat) and each
// account's first transfer time (peak RSS 510 MiB for 1M transfers over 100k accounts in one pass;
// 0.9–1.0 GiB with two threads, each with its own heap).
import { stringify } from 'csv-stringify/sync';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { PreRejectedRow } from '../queue/ingest-queue.js';
import { unpackItems, type ConvertItem, type ConvertThreadData, type RangeResult, type RangeTask } from './bulk-convert-items.js';
import { bulkFiles, CsvOut, HEADERS, LargeMap, quoted, transferFromLine, transferLine, TxIdIndex, type BulkFiles } from './bulk-files.js';
import { fileRanges, type FileRanges } from './bulk-ranges.js';
import { readRows, type ColumnMap, type FileFormat } from './read-rows.js';
import { describeConflict, type TransferRecord, type ValidationRules } from './record.js';
import { checkRow, settleRows, type CheckedRow } from './write-chunk.js';

/** Bytes per range a thread reads at a time (a larger file is read by several threads). */
export const RANGE_BYTES = 4 << 20;

export interface ConvertOptions {
  file: string;
  format: FileFormat;
  map: ColumnMap;
  dir: string;
  batchId: string;
  batchSize: number;
  rules: ValidationRules;
  /** Where rejected rows go as `line,tx_id,reason,raw` (what `import` writes); only kept if any. */
  rejectsFile: string;
  onProgress?: (p: ConvertProgress) => void;
  /** Threads that read the file (default: one per CPU, at most 8; 1 reads it in this thread). */
  threads?: number;
  /** Bytes per range (default RANGE_BYTES; tests cut small files into many). */
  rangeBytes?: number;
  /** The clock written into the batch and chunk records (tests compare two conversions). */
  now?: () => number;
}

export interface ConvertProgress {
  bytesRead: number;
  bytesTotal: number;
  rowsRead: number;
  written: number;
  duplicates: number;
  rejected: number;
}

export interface ConvertResult {
  batchId: string;
  files: BulkFiles;
  rowsRead: number;
  written: number;
  duplicates: number;
  rejected: number;
  accounts: number;
  chunks: number;
  /** Sum of the written transfers' amounts per currency, in minor units. */
  amountByCurrency: Record<string, number>;
  rejectsFile: string | null;
  bytesWritten: number;
  elapsedMs: number;
  /** Threads that read the file; 1 when it was read in one pass (small, or started over). */
  threads: number;
  /** Why a threaded read started over in one pass (null if it did not). */
  startedOver: string | null;
}

/** Threads for a conversion: one per CPU, at most 8. */
export function defaultConvertThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

export async function convertToImportFiles(opts: ConvertOptions): Promise<ConvertResult> {
  const threads = opts.threads ?? defaultConvertThreads();
  const plan = threads > 1 ? fileRanges(opts.file, opts.format, opts.rangeBytes ?? RANGE_BYTES) : null;
  if (plan && plan.ranges.length > 1) {
    try {
      return await convertOnce(
        opts,
        (progress) => threadedItems(opts, plan, threads, progress),
        Math.min(threads, plan.ranges.length),
        null,
      );
    } catch (err) {
      if (!(err instanceof RangeReadFailed)) throw err;
      return convertOnce(opts, (progress) => onePassItems(opts, progress), 1, err.message);
    }
  }
  return convertOnce(opts, (progress) => onePassItems(opts, progress), 1, null);
}

/** A range a thread could not read: the conversion starts over in one pass. */
class RangeReadFailed extends Error {}

/** Items handed over at a time by the one-pass reader (the threaded one hands over a range's). */
const ONE_PASS_BATCH = 1000;

/** The whole file in this thread, as the streaming path reads it, in batches of items. */
async function* onePassItems(opts: ConvertOptions, progress: ConvertProgress): AsyncGenerator<ConvertItem[]> {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.bytesRead += chunk.length;
      cb(null, chunk);
    },
  });
  const source = fs.createReadStream(opts.file, { highWaterMark: 1 << 20 });
  source.on('error', (err) => counter.destroy(err));
  source.pipe(counter);
  let batch: ConvertItem[] = [];
  try {
    for await (const item of readRows(counter, opts.format, opts.map)) {
      batch.push(
        item.kind === 'rejected'
          ? item
          : { kind: 'row', row: checkRow({ line: item.line, fields: item.fields, raw: item.raw }, opts.rules) },
      );
      if (batch.length >= ONE_PASS_BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    // The reader stopped on an error: the rows before it are taken first, as they were one by one.
    if (batch.length) yield batch;
    throw err;
  }
  if (batch.length) yield batch;
}

/**
 * The file's ranges read by `threads` threads, their results taken in file order; at most one
 * range more than there are threads is read ahead of the one being taken (bounded memory).
 */
async function* threadedItems(
  opts: ConvertOptions,
  plan: FileRanges,
  threads: number,
  progress: ConvertProgress,
): AsyncGenerator<ConvertItem[]> {
  const tasks: RangeTask[] = plan.ranges.map((r, index) => ({
    index,
    start: r.start,
    end: r.end,
    prefixEnd: index === 0 ? 0 : plan.headerEnd,
  }));
  const data: ConvertThreadData = { file: opts.file, format: opts.format, map: opts.map, rules: opts.rules };
  const pool = Array.from(
    { length: Math.min(threads, tasks.length) },
    () => new Worker(new URL('./bulk-convert-worker.js', import.meta.url), { workerData: data }),
  );
  const results = new Map<number, RangeResult>();
  let failure: string | null = null;
  let closing = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let next = 0;
  let taken = 0;
  let linesBefore = 0;
  let crlfBefore = 0;
  const idle: Worker[] = [];
  const dispatch = () => {
    while (idle.length && next < tasks.length && next - taken < pool.length + 1) idle.pop()!.postMessage(tasks[next++]!);
  };
  for (const w of pool) {
    w.on('message', (msg: RangeResult) => {
      results.set(msg.index, msg);
      idle.push(w);
      dispatch();
      notify();
    });
    w.on('error', (err) => {
      failure ??= `a conversion thread failed: ${err.message}`;
      notify();
    });
    // A thread that ends before it is told to (out of memory, killed): its range never comes back.
    w.on('exit', (code) => {
      if (closing) return;
      failure ??= `a conversion thread stopped (exit code ${code})`;
      notify();
    });
    idle.push(w);
  }
  try {
    dispatch();
    while (taken < tasks.length) {
      const result = results.get(taken);
      if (!result) {
        if (failure) throw new RangeReadFailed(failure);
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      results.delete(taken);
      if ('error' in result)
        throw new RangeReadFailed(`bytes ${tasks[taken]!.start}–${tasks[taken]!.end} could not be read apart: ${result.error}`);
      const task = tasks[taken]!;
      taken++;
      dispatch();
      // Line numbers of the whole file: the lines before the range added, less the CRLFs inside
      // quoted fields before it (which the reader counted twice) — for rows and rejected records
      // alike, both numbered where they start.
      const items = unpackItems(result.items);
      for (const item of items) {
        if (item.kind === 'row') item.row.line += linesBefore - crlfBefore;
        else item.line += linesBefore - crlfBefore;
      }
      yield items;
      linesBefore += result.lines;
      crlfBefore += result.crlfInside;
      progress.bytesRead += task.end - task.start;
    }
  } finally {
    closing = true;
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

async function convertOnce(
  opts: ConvertOptions,
  items: (progress: ConvertProgress) => AsyncGenerator<ConvertItem[]>,
  threads: number,
  startedOver: string | null,
): Promise<ConvertResult> {
  const started = Date.now();
  const bytesTotal = fs.statSync(opts.file).size;
  fs.mkdirSync(opts.dir, { recursive: true });
  const files = bulkFiles(opts.dir);
  const transfers = new CsvOut(files.transfers, HEADERS.transfers);
  const chunks = new CsvOut(files.chunks, HEADERS.chunks);
  const rejectedRows = new CsvOut(files.rejected, HEADERS.rejected);
  const rejectsPartial = `${opts.rejectsFile}.partial`;
  fs.mkdirSync(path.dirname(opts.rejectsFile), { recursive: true });
  const rejectsOut = fs.openSync(rejectsPartial, 'w');
  fs.writeSync(rejectsOut, stringify([['line', 'tx_id', 'reason', 'raw']]));
  let rejectsOpen = true;
  const closeRejects = () => {
    if (rejectsOpen) fs.closeSync(rejectsOut);
    rejectsOpen = false;
  };

  const stored = new TxIdIndex();
  const firstSeen = new LargeMap<number>();
  const amountByCurrency: Record<string, number> = {};
  const progress: ConvertProgress = { bytesRead: 0, bytesTotal, rowsRead: 0, written: 0, duplicates: 0, rejected: 0 };
  const now = (opts.now ?? Date.now)();
  const createdAt = opts.now ? now : started;
  let seq = 0;
  let rows: CheckedRow[] = [];
  let preRejected: PreRejectedRow[] = [];

  /** The tx_id `stored.find` looks for: a hash match is confirmed by reading its line back. */
  let looking = '';
  let kept: TransferRecord | undefined;
  const isStoredLine = (offset: number) => {
    const line = transferFromLine(transfers.readLineAt(offset));
    if (line.txId !== looking) return false;
    kept = line;
    return true;
  };
  const seenAt = (id: string, at: number) => {
    const seen = firstSeen.get(id);
    if (seen === undefined) firstSeen.add(id, at);
    else if (at < seen) firstSeen.set(id, at);
  };

  const flushJob = () => {
    if (rows.length + preRejected.length === 0) return;
    const classified = settleRows(rows, preRejected);
    const rejects = classified.rejects;
    let duplicates = classified.duplicates;
    let written = 0;
    for (const t of classified.fresh) {
      looking = t.txId;
      kept = undefined;
      stored.find(t.txId, isStoredLine);
      if (kept) {
        const conflict = describeConflict(kept, t);
        if (conflict) rejects.push({ line: t.line, reason: conflict, raw: t.raw, txId: t.txId });
        else duplicates++;
        continue;
      }
      stored.add(t.txId, transfers.write(transferLine(t, opts.batchId)));
      written++;
      amountByCurrency[t.currency] = (amountByCurrency[t.currency] ?? 0) + t.amount;
      seenAt(t.from, t.at);
      seenAt(t.to, t.at);
    }
    rejects.sort((a, b) => a.line - b.line);
    for (const r of rejects) {
      rejectedRows.write(`${quoted(opts.batchId)},${seq},${r.line},${quoted(r.reason)},${quoted(r.raw)},${quoted(r.txId)}`);
      fs.writeSync(rejectsOut, stringify([[r.line, r.txId ?? '', r.reason, r.raw]]));
    }
    const received = rows.length + preRejected.length;
    chunks.write(
      `${quoted(`${opts.batchId}#${seq}`)},${quoted(opts.batchId)},${seq},${received},${written},${duplicates},${rejects.length},${now}`,
    );
    progress.written += written;
    progress.duplicates += duplicates;
    progress.rejected += rejects.length;
    seq++;
    rows = [];
    preRejected = [];
  };

  const ticker = opts.onProgress ? setInterval(() => opts.onProgress!({ ...progress }), 250) : undefined;
  try {
    for await (const batch of items(progress)) {
      for (const item of batch) {
        progress.rowsRead++;
        if (item.kind === 'row') rows.push(item.row);
        else
          preRejected.push({
            line: item.line,
            reason: item.reason,
            raw: item.raw,
            ...(item.txId !== undefined ? { txId: item.txId } : {}),
          });
        if (rows.length + preRejected.length >= opts.batchSize) flushJob();
      }
    }
    flushJob();

    const accounts = new CsvOut(files.accounts, HEADERS.accounts);
    for (const [id, at] of firstSeen.entries()) accounts.write(`${quoted(id)},${at},${now}`);
    accounts.close();
    const batch = new CsvOut(files.batch, HEADERS.batch);
    batch.write(`${quoted(opts.batchId)},"file",${quoted(path.basename(opts.file))},${createdAt},${seq},${progress.rowsRead},${now},true`);
    batch.close();
    opts.onProgress?.({ ...progress });
    const result: ConvertResult = {
      batchId: opts.batchId,
      files,
      rowsRead: progress.rowsRead,
      written: progress.written,
      duplicates: progress.duplicates,
      rejected: progress.rejected,
      accounts: firstSeen.size,
      chunks: seq,
      amountByCurrency,
      rejectsFile: null,
      bytesWritten: transfers.bytes + accounts.bytes + chunks.bytes + rejectedRows.bytes + batch.bytes,
      elapsedMs: 0,
      threads,
      startedOver,
    };
    closeRejects();
    if (result.rejected > 0) {
      fs.renameSync(rejectsPartial, opts.rejectsFile);
      result.rejectsFile = opts.rejectsFile;
    } else {
      fs.rmSync(rejectsPartial, { force: true });
    }
    result.elapsedMs = Date.now() - started;
    return result;
  } finally {
    if (ticker) clearInterval(ticker);
    closeRejects();
    for (const out of [transfers, chunks, rejectedRows]) {
      try {
        out.close();
      } catch {
        // already closed
      }
    }
  }
}
