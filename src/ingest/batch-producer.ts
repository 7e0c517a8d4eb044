// Cuts a stream of rows into ingest jobs, applies back-pressure, and follows the jobs to the end.
import { QueueEvents, type ConnectionOptions, type Queue } from 'bullmq';
import crypto from 'node:crypto';
import type { Config } from '../config/index.js';
import type { IngestBatchRepository } from '../neo4j/repositories/ingest-batches.js';
import { INGEST_QUEUE, ingestJobId, type IngestJobData, type IngestRow, type PreRejectedRow } from '../queue/ingest-queue.js';
import type { ReadItem } from './read-rows.js';
import type { ChunkOutcome } from './write-chunk.js';

export function newBatchId(kind: 'imp' | 'http'): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${kind}-${stamp}-${crypto.randomBytes(4).toString('hex')}`;
}

export interface BatchProgress {
  rowsRead: number;
  chunksQueued: number;
  chunksDone: number;
  written: number;
  duplicates: number;
  rejected: number;
  failedChunks: number;
}

export interface FailedChunk {
  jobId: string;
  seq: number;
  reason: string;
}

export interface BatchTracking {
  progress: BatchProgress;
  failed: FailedChunk[];
}

/**
 * Enqueues the jobs of one batch and tracks them. Completion comes from QueueEvents and is
 * cross-checked against the IngestChunk markers in Neo4j (the source of truth), so a missed event
 * cannot hang an import.
 */
export class BatchProducer {
  readonly progress: BatchProgress = {
    rowsRead: 0,
    chunksQueued: 0,
    chunksDone: 0,
    written: 0,
    duplicates: 0,
    rejected: 0,
    failedChunks: 0,
  };
  readonly failed: FailedChunk[] = [];
  private rows: IngestRow[] = [];
  private rejected: PreRejectedRow[] = [];
  private seq = 0;
  private readonly outstanding = new Set<string>();
  private events: QueueEvents | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: { config: Config; queue: Queue<IngestJobData>; connection: ConnectionOptions; batches: IngestBatchRepository },
    readonly batchId: string,
    private readonly opts: { batchSize: number; maxPending: number },
  ) {}

  async start(): Promise<void> {
    this.events = new QueueEvents(INGEST_QUEUE, { connection: this.deps.connection, prefix: this.deps.config.queue.prefix });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      if (!this.outstanding.delete(jobId)) return;
      const outcome = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ChunkOutcome | null;
      this.progress.chunksDone++;
      if (outcome) {
        this.progress.written += outcome.written;
        this.progress.duplicates += outcome.duplicates;
        this.progress.rejected += outcome.rejected;
      }
      this.wake?.();
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (!this.outstanding.has(jobId)) return;
      void this.deps.queue.getJobState(jobId).then((state) => {
        if (state !== 'failed' || !this.outstanding.delete(jobId)) return;
        this.failed.push({ jobId, seq: Number(jobId.slice(this.batchId.length + 1)), reason: failedReason });
        this.progress.failedChunks++;
        this.wake?.();
      });
    });
    await this.events.waitUntilReady();
  }

  async add(item: ReadItem): Promise<void> {
    this.progress.rowsRead++;
    if (item.kind === 'row') this.rows.push({ line: item.line, fields: item.fields, raw: item.raw });
    else this.rejected.push({ line: item.line, reason: item.reason, raw: item.raw });
    if (this.rows.length + this.rejected.length >= this.opts.batchSize) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.rows.length + this.rejected.length === 0) return;
    while (this.outstanding.size >= this.opts.maxPending) await this.waitForChange(2000);
    const seq = this.seq++;
    const jobId = ingestJobId(this.batchId, seq);
    const data: IngestJobData = { batchId: this.batchId, seq, rows: this.rows, rejected: this.rejected };
    this.rows = [];
    this.rejected = [];
    this.outstanding.add(jobId);
    await this.deps.queue.add('chunk', data, { jobId });
    this.progress.chunksQueued++;
  }

  /** Enqueues the last partial job and records the batch's size. */
  async finishReading(): Promise<void> {
    await this.flush();
    await this.deps.batches.finishReading(this.batchId, this.seq, this.progress.rowsRead);
  }

  private waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        void this.reconcile().then(resolve, resolve);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Drops outstanding jobs whose IngestChunk marker exists (their completed event was missed). */
  private async reconcile(): Promise<void> {
    if (this.outstanding.size === 0) return;
    const status = await this.deps.batches.status(this.batchId);
    if (!status) return;
    const done = new Set(status.doneSeqs.map((s) => ingestJobId(this.batchId, s)));
    let changed = false;
    for (const jobId of [...this.outstanding]) {
      if (done.has(jobId)) {
        this.outstanding.delete(jobId);
        changed = true;
      }
    }
    if (changed) {
      this.progress.chunksDone = status.chunksDone;
      this.progress.written = status.written;
      this.progress.duplicates = status.duplicates;
      this.progress.rejected = status.rejected;
    }
  }

  async waitForAll(onTick?: () => void): Promise<void> {
    while (this.outstanding.size > 0) {
      await this.waitForChange(1000);
      onTick?.();
    }
  }

  async close(): Promise<void> {
    await this.events?.close();
  }
}
