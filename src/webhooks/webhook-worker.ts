import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { WEBHOOK_QUEUE, webhookJobValidator, type WebhookJobData } from '../queue/webhook-queue.js';
import { drainWebhook, type DrainResult } from './deliver.js';

export function createWebhookWorker(
  deps: { config: Config; driver: Driver; connection: Redis; log: Logger },
  opts: { name?: string } = {},
): Worker<WebhookJobData, DrainResult> {
  const worker = new Worker<WebhookJobData, DrainResult>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJobData, DrainResult>) => {
      if (!webhookJobValidator.Check(job.data)) throw new UnrecoverableError('acctnet/webhooks: malformed delivery job');
      // From now on a new publication queues a follow-up drain instead of joining this one.
      await job.removeDeduplicationKey().catch(() => {});
      return drainWebhook({ config: deps.config, driver: deps.driver, redis: deps.connection }, job.data.webhookId, job.attemptsMade + 1);
    },
    {
      connection: deps.connection,
      prefix: deps.config.queue.prefix,
      concurrency: 4,
      lockDuration: deps.config.queue.lockDurationMs,
      stalledInterval: deps.config.queue.stalledIntervalMs,
      ...(opts.name ? { name: opts.name } : {}),
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'webhook delivery failed'),
  );
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'webhook worker error'));
  return worker;
}
