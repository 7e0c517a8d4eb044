// The recompute worker: one run at a time; the analysis itself runs in a worker thread.
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { RECOMPUTE_QUEUE, recomputeJobValidator, type RecomputeJobData } from '../queue/recompute-queue.js';
import type { WebhookJobData } from '../queue/webhook-queue.js';
import { runRecompute, type RunSummary } from './recompute.js';

export interface RecomputeWorkerDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
  webhookQueue: Queue<WebhookJobData>;
  log: Logger;
}

export function createRecomputeWorker(deps: RecomputeWorkerDeps, opts: { name?: string } = {}): Worker<RecomputeJobData, RunSummary> {
  const { config, log } = deps;
  const worker = new Worker<RecomputeJobData, RunSummary>(
    RECOMPUTE_QUEUE,
    async (job: Job<RecomputeJobData, RunSummary>) => {
      if (!recomputeJobValidator.Check(job.data)) throw new UnrecoverableError('acctnet/recompute: malformed recompute request');
      // From now on a new request queues a follow-up run instead of joining this one.
      await job.removeDeduplicationKey();
      const publish = { redis: deps.redis, webhookQueue: deps.webhookQueue };
      return runRecompute({ config, driver: deps.driver, log, publish }, { ...job.data, jobId: job.id ?? null }, (p) => {
        void job.updateProgress({ runId: p.runId, step: p.step, timings: p.timings, counts: p.counts }).catch(() => {});
      });
    },
    {
      connection: deps.redis,
      prefix: config.queue.prefix,
      concurrency: 1,
      lockDuration: config.queue.lockDurationMs,
      stalledInterval: config.queue.stalledIntervalMs,
      maxStalledCount: 1,
      ...(opts.name ? { name: opts.name } : {}),
    },
  );
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err: err.message }, 'recompute failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'recompute worker error'));
  return worker;
}
