import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { WEBHOOK_QUEUE, webhookJobValidator, type WebhookJobData } from '../queue/webhook-queue.js';
import { deliverWebhook } from './deliver.js';

export function createWebhookWorker(
  deps: { config: Config; driver: Driver; connection: ConnectionOptions; log: Logger },
  opts: { name?: string } = {},
): Worker<WebhookJobData> {
  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJobData>) => {
      if (!webhookJobValidator.Check(job.data)) throw new UnrecoverableError('acctnet/webhooks: malformed delivery job');
      return deliverWebhook(deps, job.data, job.attemptsMade + 1, `${job.id}-a${job.attemptsMade + 1}`);
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
