// Ingest jobs that fail for good: kept in Neo4j with their rows and error (not only in BullMQ's
// bounded failed set), shown on the batch, and re-enqueued by `acctnet batches retry BATCH`.
// Writing is idempotent (IngestChunk marker, tx_id de-duplication), so a retry never doubles a row.
import type { Job, Queue } from 'bullmq';
import type { Logger } from '../logger.js';
import type { FailedIngestJobRepository } from '../neo4j/repositories/failed-ingest-jobs.js';
import type { IngestBatchRepository } from '../neo4j/repositories/ingest-batches.js';
import { failedJobKey, isFailedNow } from '../neo4j/repositories/failed-ingest-jobs.js';
import { ingestJobId, ingestJobValidator, type IngestJobData } from '../queue/ingest-queue.js';

/** Keeps one failed-for-good job (its payload when it is a valid ingest payload). */
export async function keepFailedJob(repo: FailedIngestJobRepository, job: Job<IngestJobData>, reason: string): Promise<boolean> {
  const data = job.data as unknown;
  if (!ingestJobValidator.Check(data)) return false; // A malformed payload has no rows to keep.
  await repo.keep({
    batchId: data.batchId,
    seq: data.seq,
    jobId: job.id ?? ingestJobId(data.batchId, data.seq),
    reason,
    attempts: job.attemptsMade,
    payload: data,
  });
  return true;
}

/**
 * Keeps every job of BullMQ's failed set that is not kept yet (a worker may have failed to write it
 * while Neo4j was down). Run at worker start. Returns how many it kept.
 */
export async function keepFailedSet(queue: Queue<IngestJobData>, repo: FailedIngestJobRepository, log: Logger): Promise<number> {
  let kept = 0;
  const page = 200;
  for (let start = 0; ; start += page) {
    const jobs = (await queue.getFailed(start, start + page - 1)).filter((j): j is Job<IngestJobData> => Boolean(j));
    if (jobs.length === 0) break;
    const valid = jobs.filter((j) => ingestJobValidator.Check(j.data));
    const known = await repo.keptKeys(valid.map((j) => failedJobKey(j.data.batchId, j.data.seq)));
    for (const j of valid) {
      if (known.has(failedJobKey(j.data.batchId, j.data.seq))) continue;
      if (await keepFailedJob(repo, j, j.failedReason ?? 'failed')) kept++;
    }
    if (jobs.length < page) break;
  }
  if (kept > 0) log.warn({ kept }, 'kept failed ingest jobs that were only in the queue (acctnet batches retry BATCH re-enqueues them)');
  return kept;
}

export interface RetryOutcome {
  batchId: string;
  /** Jobs re-enqueued from the kept rows. */
  requeued: Array<{ jobId: string; rows: number }>;
  /** Jobs left alone because the queue is still working on them. */
  inFlight: string[];
}

/**
 * Re-enqueues the kept failed jobs of a batch (same job ids). A job BullMQ still holds as failed is
 * removed first (a job id is taken while it exists); one still waiting or running is left alone.
 */
export async function retryFailedJobs(queue: Queue<IngestJobData>, batches: IngestBatchRepository, batchId: string): Promise<RetryOutcome> {
  const outcome: RetryOutcome = { batchId, requeued: [], inFlight: [] };
  const repo = batches.failed;
  // A job that failed a moment ago may not be kept yet (the worker keeps it asynchronously, or
  // could not reach Neo4j): keep the batch's failed jobs from the queue first.
  const status = await batches.status(batchId);
  if (status?.expectedChunks != null) {
    const known = new Set([...status.doneSeqs, ...(await repo.ofBatch(batchId)).map((j) => j.seq)]);
    for (let seq = 0; seq < status.expectedChunks; seq++) {
      if (known.has(seq)) continue;
      const job = await queue.getJob(ingestJobId(batchId, seq));
      if (job && (await job.getState()) === 'failed') await keepFailedJob(repo, job, job.failedReason ?? 'failed');
    }
  }
  for (const failed of (await repo.ofBatch(batchId)).filter(isFailedNow)) {
    const jobId = ingestJobId(batchId, failed.seq);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'failed' && state !== 'completed' && state !== 'unknown') {
        outcome.inFlight.push(jobId);
        continue;
      }
      await existing.remove();
    }
    const payload = await repo.payload(batchId, failed.seq);
    if (!ingestJobValidator.Check(payload)) throw new Error(`acctnet/ingest: the kept rows of ${jobId} are not a valid ingest job`);
    await repo.markRetried(batchId, failed.seq);
    await queue.add('chunk', payload, { jobId });
    outcome.requeued.push({ jobId, rows: payload.rows.length + payload.rejected.length });
  }
  return outcome;
}
