// What an operator or client wants to know about an ingest batch: where it is, what was written,
// what was rejected and why, and which jobs failed for good (from BullMQ's failed set).
import type { Queue } from 'bullmq';
import { isFailedNow } from '../neo4j/repositories/failed-ingest-jobs.js';
import type { IngestBatchRepository, RejectedRow } from '../neo4j/repositories/ingest-batches.js';
import { ingestJobId, type IngestJobData } from '../queue/ingest-queue.js';

export type BatchState = 'reading' | 'writing' | 'done' | 'failed';

export interface BatchReport {
  id: string;
  source: string;
  name: string | null;
  createdAt: string;
  state: BatchState;
  /** Why the import feeding this batch stopped before the end (then the state is failed), or null. */
  aborted: string | null;
  rows: number | null;
  received: number;
  written: number;
  duplicates: number;
  rejected: number;
  jobs: { total: number | null; done: number; failed: number; pending: number | null };
  failedJobs: Array<{ jobId: string; reason: string }>;
  rejectedRows: RejectedRow[];
  /** Pass as rejectedAfter to get the next page; null when there is none. */
  nextRejectedAfter: number | null;
}

const MAX_STATE_LOOKUPS = 200;

/** An HTTP batch is registered just before its jobs are enqueued: a missing job is "lost" only after this. */
const LOST_GRACE_MS = 60_000;

export const LOST_JOB_REASON =
  'lost from the queue before it was written (Redis restarted without persistence, or its keys were evicted); its rows are not kept: import the file again or resend the rows (rows already stored count as duplicates)';

export async function describeBatch(
  batches: IngestBatchRepository,
  queue: Queue<IngestJobData>,
  id: string,
  page: { rejectedAfter: number; rejectedLimit: number },
): Promise<BatchReport | null> {
  const s = await batches.status(id);
  if (!s) return null;
  const done = new Set(s.doneSeqs);
  // Failed jobs kept in Neo4j (with their rows); a retried one counts as pending until it ends.
  const kept = await batches.failed.ofBatch(id);
  const failedJobs: BatchReport['failedJobs'] = kept
    .filter(isFailedNow)
    .map((j) => ({ jobId: j.jobId, reason: `${j.reason} (rows kept: npx acctnet batches retry ${id})` }));
  const known = new Set([...done, ...kept.map((j) => j.seq)]);
  if (s.expectedChunks !== null) {
    const mayBeLost = s.source !== 'http' || Date.now() - s.createdAt > LOST_GRACE_MS;
    let looked = 0;
    for (let seq = 0; seq < s.expectedChunks && looked < MAX_STATE_LOOKUPS; seq++) {
      if (known.has(seq)) continue;
      looked++;
      const job = await queue.getJob(ingestJobId(id, seq));
      if (job && (await job.getState()) === 'failed') failedJobs.push({ jobId: job.id!, reason: job.failedReason });
      else if (!job && mayBeLost && !(await batches.status(id))!.doneSeqs.includes(seq))
        failedJobs.push({ jobId: ingestJobId(id, seq), reason: LOST_JOB_REASON });
    }
  }
  const pending = s.expectedChunks === null ? null : s.expectedChunks - s.chunksDone - failedJobs.length;
  const complete = s.expectedChunks !== null && pending === 0 && failedJobs.length === 0;
  // A stopped import's batch never reads "reading" or "writing" for ever: it failed, with the reason.
  const state: BatchState =
    s.abortReason !== null && !complete
      ? 'failed'
      : s.expectedChunks === null
        ? 'reading'
        : pending! > 0
          ? 'writing'
          : failedJobs.length > 0
            ? 'failed'
            : 'done';
  const rejectedRows = await batches.rejectedRows(id, page.rejectedAfter, page.rejectedLimit);
  return {
    id: s.id,
    source: s.source,
    name: s.name,
    createdAt: new Date(s.createdAt).toISOString(),
    state,
    aborted: s.abortReason,
    rows: s.expectedRows,
    received: s.received,
    written: s.written,
    duplicates: s.duplicates,
    rejected: s.rejected,
    jobs: { total: s.expectedChunks, done: s.chunksDone, failed: failedJobs.length, pending },
    failedJobs,
    rejectedRows,
    nextRejectedAfter: rejectedRows.length === page.rejectedLimit ? rejectedRows[rejectedRows.length - 1]!.line : null,
  };
}
