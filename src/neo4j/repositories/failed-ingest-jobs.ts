// Ingest jobs that failed for good, kept in Neo4j with their rows (BullMQ's failed set is bounded
// and, on a Redis without persistence, lost at restart): the source of `acctnet batches retry`.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface FailedIngestJob {
  seq: number;
  jobId: string;
  reason: string;
  attempts: number;
  failedAt: number;
  /** Last `batches retry` of this job; the job is failed again when failedAt is later. */
  retriedAt: number | null;
  retries: number;
}

/** Same key as the IngestChunk marker of the job. */
export const failedJobKey = (batchId: string, seq: number): string => `${batchId}#${seq}`;

export function createFailedIngestJobRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  return {
    async keep(job: { batchId: string; seq: number; jobId: string; reason: string; attempts: number; payload: unknown }): Promise<void> {
      await write((tx) =>
        tx.run(cypher('ingest/keep-failed-job'), {
          key: failedJobKey(job.batchId, job.seq),
          batchId: job.batchId,
          seq: int(job.seq),
          jobId: job.jobId,
          reason: job.reason,
          attempts: int(job.attempts),
          failedAt: int(Date.now()),
          payload: JSON.stringify(job.payload),
        }),
      );
    },

    /** Which of these keys are kept already. */
    async keptKeys(keys: readonly string[]): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const r = await read((tx) => tx.run(cypher('ingest/kept-failed-keys'), { keys: [...keys] }));
      return new Set(r.records.map((x) => x.get('key') as string));
    },

    /** Kept failed jobs of a batch not written since (failed, or re-enqueued and not finished). */
    async ofBatch(batchId: string): Promise<FailedIngestJob[]> {
      const r = await read((tx) => tx.run(cypher('ingest/failed-jobs'), { batchId }));
      return r.records.map((x) => ({
        seq: toNumber(x.get('seq')),
        jobId: x.get('jobId') as string,
        reason: x.get('reason') as string,
        attempts: toNumber(x.get('attempts')),
        failedAt: toNumber(x.get('failedAt')),
        retriedAt: toNumberOrNull(x.get('retriedAt')),
        retries: toNumber(x.get('retries') ?? 0),
      }));
    },

    async payload(batchId: string, seq: number): Promise<unknown> {
      const r = (await read((tx) => tx.run(cypher('ingest/failed-job-payload'), { key: failedJobKey(batchId, seq) }))).records[0];
      return r ? JSON.parse(r.get('payload') as string) : null;
    },

    async markRetried(batchId: string, seq: number): Promise<void> {
      await write((tx) => tx.run(cypher('ingest/mark-failed-job-retried'), { key: failedJobKey(batchId, seq), at: int(Date.now()) }));
    },
  };
}

export type FailedIngestJobRepository = ReturnType<typeof createFailedIngestJobRepository>;

/** A kept job counts as failed until it is retried, and again when the retry fails. */
export const isFailedNow = (j: FailedIngestJob): boolean => j.retriedAt === null || j.failedAt >= j.retriedAt;
