// The "recompute" queue: one run at a time (global concurrency 1), requests coalesced with BullMQ
// deduplication, and the nightly schedule kept as a BullMQ job scheduler.
import crypto from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Config } from '../config/index.js';

export const RECOMPUTE_QUEUE = 'recompute';
export const SCHEDULER_ID = 'recompute-schedule';

export const RecomputeJobSchema = Type.Object(
  {
    trigger: Type.Union([Type.Literal('cli'), Type.Literal('api'), Type.Literal('schedule')]),
    requestedBy: Type.String({ maxLength: 200 }),
    requestedAt: Type.Integer({ minimum: 0 }),
    asOf: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    /** Read the whole window instead of starting from the previous run's snapshot (`recompute --full`). */
    full: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RecomputeJobData = Static<typeof RecomputeJobSchema>;
export const recomputeJobValidator = Compile(RecomputeJobSchema);

export function createRecomputeQueue(config: Config, connection: ConnectionOptions): Queue<RecomputeJobData> {
  return new Queue<RecomputeJobData>(RECOMPUTE_QUEUE, {
    connection,
    prefix: config.queue.prefix,
    defaultJobOptions: {
      attempts: 2,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    },
  });
}

export interface RecomputeRequest {
  jobId: string;
  /** True when the request joined a run that was already waiting. */
  coalesced: boolean;
}

/**
 * Queues a run, or joins the one already waiting for the same asOf: requests made while a run
 * waits coalesce into it; a request made while a run is going queues exactly one follow-up (the
 * worker drops the deduplication key when it starts a run).
 */
export async function requestRecompute(queue: Queue<RecomputeJobData>, data: RecomputeJobData): Promise<RecomputeRequest> {
  const jobId = `rc-${Date.now()}-${crypto.randomBytes(3).toString('hex')}`;
  // A --full request does not join a waiting incremental one (it would lose its reason to exist).
  const dedupId = (data.asOf === null ? 'latest' : `asof-${data.asOf}`) + (data.full ? '-full' : '');
  const job = await queue.add('recompute', data, { jobId, deduplication: { id: dedupId } });
  return { jobId: job.id ?? jobId, coalesced: job.id !== jobId };
}

/** Keeps exactly one schedule, matching the configuration (upsert is idempotent; "off" removes it). */
export async function syncSchedule(queue: Queue<RecomputeJobData>, config: Config): Promise<string | null> {
  await queue.setGlobalConcurrency(1);
  if (!config.analysis.cron) {
    await queue.removeJobScheduler(SCHEDULER_ID);
    return null;
  }
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: config.analysis.cron, tz: config.analysis.tz },
    { name: 'recompute', data: { trigger: 'schedule', requestedBy: 'schedule', requestedAt: 0, asOf: null } },
  );
  return config.analysis.cron;
}
