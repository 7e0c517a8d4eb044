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
// Memory: the tx_ids seen (with the byte offset of their line, read back on a repeat) and each
// account's first transfer time (peak RSS 510 MiB for 1M transfers over 100k accounts).
import { stringify } from 'csv-stringify/sync';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { IngestJobData, IngestRow, PreRejectedRow } from '../queue/ingest-queue.js';
import { bulkFiles, CsvOut, HEADERS, LargeMap, parseLine, quoted, type BulkFiles } from './bulk-files.js';
import { readRows, type ColumnMap, type FileFormat } from './read-rows.js';
import { describeConflict, type TransferRecord, type ValidationRules } from './record.js';
import { classifyRows } from './write-chunk.js';

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
}

function transferLine(t: TransferRecord, batchId: string): string {
  return `${quoted(t.txId)},${quoted(t.from)},${quoted(t.to)},${t.amount},${quoted(t.currency)},${t.at},${quoted(t.channel)},${quoted(batchId)}`;
}

function transferFromLine(line: string): TransferRecord {
  const [txId, from, to, amount, currency, at, channel] = parseLine(line);
  return { txId: txId!, from: from!, to: to!, amount: Number(amount), currency: currency!, at: Number(at), channel: channel ?? null };
}

export async function convertToImportFiles(opts: ConvertOptions): Promise<ConvertResult> {
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

  const stored = new LargeMap<number>();
  const firstSeen = new LargeMap<number>();
  const amountByCurrency: Record<string, number> = {};
  const progress: ConvertProgress = { bytesRead: 0, bytesTotal, rowsRead: 0, written: 0, duplicates: 0, rejected: 0 };
  const now = Date.now();
  let seq = 0;
  let rows: IngestRow[] = [];
  let preRejected: PreRejectedRow[] = [];

  const flushJob = () => {
    if (rows.length + preRejected.length === 0) return;
    const job: IngestJobData = { batchId: opts.batchId, seq, rows, rejected: preRejected };
    const classified = classifyRows(job, opts.rules);
    const rejects = classified.rejects;
    let duplicates = classified.duplicates;
    let written = 0;
    for (const t of classified.fresh) {
      const offset = stored.get(t.txId);
      if (offset !== undefined) {
        const conflict = describeConflict(transferFromLine(transfers.readLineAt(offset)), t);
        if (conflict) rejects.push({ line: t.line, reason: conflict, raw: t.raw, txId: t.txId });
        else duplicates++;
        continue;
      }
      stored.add(t.txId, transfers.write(transferLine(t, opts.batchId)));
      written++;
      amountByCurrency[t.currency] = (amountByCurrency[t.currency] ?? 0) + t.amount;
      for (const id of [t.from, t.to]) {
        const seen = firstSeen.get(id);
        if (seen === undefined) firstSeen.add(id, t.at);
        else if (t.at < seen) firstSeen.set(id, t.at);
      }
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

  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.bytesRead += chunk.length;
      cb(null, chunk);
    },
  });
  const ticker = opts.onProgress ? setInterval(() => opts.onProgress!({ ...progress }), 250) : undefined;
  try {
    const source = fs.createReadStream(opts.file, { highWaterMark: 1 << 20 });
    source.on('error', (err) => counter.destroy(err));
    source.pipe(counter);
    for await (const item of readRows(counter, opts.format, opts.map)) {
      progress.rowsRead++;
      if (item.kind === 'row') rows.push({ line: item.line, fields: item.fields, raw: item.raw });
      else preRejected.push({ line: item.line, reason: item.reason, raw: item.raw });
      if (rows.length + preRejected.length >= opts.batchSize) flushJob();
    }
    flushJob();

    const accounts = new CsvOut(files.accounts, HEADERS.accounts);
    for (const [id, at] of firstSeen.entries()) accounts.write(`${quoted(id)},${at},${now}`);
    accounts.close();
    const batch = new CsvOut(files.batch, HEADERS.batch);
    batch.write(`${quoted(opts.batchId)},"file",${quoted(path.basename(opts.file))},${started},${seq},${progress.rowsRead},${now},true`);
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
    };
    fs.closeSync(rejectsOut);
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
    for (const out of [transfers, chunks, rejectedRows]) {
      try {
        out.close();
      } catch {
        // already closed
      }
    }
  }
}
