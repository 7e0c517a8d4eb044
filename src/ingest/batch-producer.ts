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
  /**
   * Jobs whose last attempt failed and that BullMQ will try again (moved to its delayed set to wait
   * for the backoff): counted from the failed attempt until the job is written or fails for good.
   */
  retryingChunks: number;
  /** The error of a failed attempt, read when jobs start retrying (null while none retries). */
  retryReason: string | null;
  /** Jobs lost from the queue before they were written (Redis restarted without persistence) and enqueued again. */
  requeuedJobs: number;
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
    retryingChunks: 0,
    retryReason: null,
    requeuedJobs: 0,
  };
  readonly failed: FailedChunk[] = [];
  /** Payloads of the jobs not yet known written or failed: re-enqueued if Redis loses them. */
  private readonly payloads = new Map<string, IngestJobData>();
  private lastReconcile = Date.now();
  private rows: IngestRow[] = [];
  private rejected: PreRejectedRow[] = [];
  private seq = 0;
  private readonly outstanding = new Set<string>();
  /** Outstanding jobs that failed an attempt and wait for (or run) their next one. */
  private readonly retrying = new Set<string>();
  private events: QueueEvents | undefined;
  private wake: (() => void) | undefined;
  /** Set when the import gave up (Redis unreachable too long): nothing more is enqueued. */
  private stopped = false;

  constructor(
    private readonly deps: { config: Config; queue: Queue<IngestJobData>; connection: ConnectionOptions; batches: IngestBatchRepository },
    readonly batchId: string,
    private readonly opts: { batchSize: number; maxPending: number },
  ) {}

  private settle(jobId: string): boolean {
    this.payloads.delete(jobId);
    this.setRetrying(jobId, false);
    return this.outstanding.delete(jobId);
  }

  private setRetrying(jobId: string, retrying: boolean): void {
    const before = this.retrying.size;
    if (retrying) this.retrying.add(jobId);
    else this.retrying.delete(jobId);
    this.progress.retryingChunks = this.retrying.size;
    if (this.retrying.size === 0) this.progress.retryReason = null;
    // Retries start: read why once (the event carries no reason); the job may be gone meanwhile.
    else if (before === 0)
      void this.deps.queue
        .getJob(jobId)
        .then((job) => {
          if (job?.failedReason && this.retrying.size > 0) this.progress.retryReason = job.failedReason;
        })
        .catch(() => {});
  }

  async start(): Promise<void> {
    this.events = new QueueEvents(INGEST_QUEUE, { connection: this.deps.connection, prefix: this.deps.config.queue.prefix });
    // Connection errors while Redis is away: the connection retries; reconcile() re-enqueues lost jobs.
    this.events.on('error', () => {});
    this.events.on('completed', ({ jobId, returnvalue }) => {
      if (!this.settle(jobId)) return;
      const outcome = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ChunkOutcome | null;
      this.progress.chunksDone++;
      if (outcome) {
        this.progress.written += outcome.written;
        this.progress.duplicates += outcome.duplicates;
        this.progress.rejected += outcome.rejected;
      }
      this.wake?.();
    });
    // A failed attempt that will be retried emits no 'failed' event: BullMQ moves the job to its
    // delayed set (the backoff) and emits 'delayed'. Ingest jobs are never queued with a delay, so
    // for them 'delayed' means exactly "an attempt failed; another one comes" ('failed' is for good).
    this.events.on('delayed', ({ jobId }) => {
      if (!this.outstanding.has(jobId)) return;
      this.setRetrying(jobId, true);
      this.wake?.();
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (!this.outstanding.has(jobId)) return;
      void this.deps.queue.getJobState(jobId).then((state) => {
        if (state !== 'failed' || !this.settle(jobId)) return;
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
    else
      this.rejected.push({ line: item.line, reason: item.reason, raw: item.raw, ...(item.txId !== undefined ? { txId: item.txId } : {}) });
    if (this.rows.length + this.rejected.length >= this.opts.batchSize) await this.flush();
  }

  /** Gives up: no job is enqueued (or enqueued again) from now on, and the waits end. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Jobs enqueued and not yet known written or failed. */
  get unfinished(): number {
    return this.outstanding.size;
  }

  private async flush(): Promise<void> {
    if (this.rows.length + this.rejected.length === 0) return;
    while (this.outstanding.size >= this.opts.maxPending) {
      if (this.stopped) throw new Error('acctnet/ingest: the import stopped');
      await this.waitForChange(2000);
    }
    if (this.stopped) throw new Error('acctnet/ingest: the import stopped');
    const seq = this.seq++;
    const jobId = ingestJobId(this.batchId, seq);
    const data: IngestJobData = { batchId: this.batchId, seq, rows: this.rows, rejected: this.rejected };
    this.rows = [];
    this.rejected = [];
    this.outstanding.add(jobId);
    this.payloads.set(jobId, data);
    await this.deps.queue.add('chunk', data, { jobId });
    this.progress.chunksQueued++;
  }

  /** Enqueues the last partial job and records the batch's size. */
  async finishReading(): Promise<void> {
    await this.flush();
    await this.deps.batches.finishReading(this.batchId, this.seq, this.progress.rowsRead);
  }

  private async waitForChange(timeoutMs: number): Promise<void> {
    // Events may keep coming while some jobs were lost: reconcile every few seconds regardless.
    if (Date.now() - this.lastReconcile > 5000) await this.reconcile().catch(() => {});
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

  /**
   * Drops outstanding jobs whose IngestChunk marker exists (their completed event was missed), and
   * enqueues again the ones Redis no longer knows (a restart without persistence): writing is
   * idempotent, so a job written meanwhile by a worker that held it is only replayed.
   */
  private async reconcile(): Promise<void> {
    this.lastReconcile = Date.now();
    if (this.outstanding.size === 0) return;
    const status = await this.deps.batches.status(this.batchId);
    if (!status) return;
    const done = new Set(status.doneSeqs.map((s) => ingestJobId(this.batchId, s)));
    let changed = false;
    for (const jobId of [...this.outstanding]) {
      if (done.has(jobId)) {
        this.settle(jobId);
        changed = true;
        continue;
      }
      const state = await this.deps.queue.getJobState(jobId);
      // A 'delayed' event missed (Redis reconnecting) still shows in the job's state.
      if (state === 'delayed') this.setRetrying(jobId, true);
      const payload = this.payloads.get(jobId);
      if (state === 'unknown' && payload && !this.stopped) {
        await this.deps.queue.add('chunk', payload, { jobId });
        this.progress.requeuedJobs++;
        // Enqueued again from scratch: no failed attempt of its own yet.
        this.setRetrying(jobId, false);
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
    while (this.outstanding.size > 0 && !this.stopped) {
      await this.waitForChange(1000);
      onTick?.();
    }
  }

  /** Closes the event stream; with Redis gone a graceful close would wait for ever, so it is bounded. */
  async close(): Promise<void> {
    const events = this.events;
    if (!events) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      events.close().then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 3000))),
    ]).finally(() => clearTimeout(timer));
    // disconnect() can wait for a connection that never comes back too: started, not awaited.
    if (!closed) void events.disconnect().catch(() => {});
  }
}
