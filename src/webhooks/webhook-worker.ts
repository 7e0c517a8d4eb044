import { Backoffs, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import {
  createWebhookQueue,
  enqueueDrains,
  OPERATOR_DRAIN,
  WEBHOOK_QUEUE,
  webhookJobValidator,
  type WebhookJobData,
} from '../queue/webhook-queue.js';
import { drainWebhook, type DrainResult } from './deliver.js';
import { createRetryChain } from './retry-chain.js';

export function createWebhookWorker(
  deps: { config: Config; driver: Driver; connection: Redis; log: Logger },
  opts: { name?: string } = {},
): Worker<WebhookJobData, DrainResult> {
  const { config } = deps;
  // Looks up the pending retry's state and queues a follow-up drain (src/webhooks/retry-chain.ts).
  const queue = createWebhookQueue(config, deps.connection);
  // A marker outlives its retry's delay by the delivery's timeout and a lock's stall period, so a
  // worker that died while the retry was due does not let a second chain start before BullMQ's
  // stalled-job check hands the retry on.
  const chain = createRetryChain(
    deps.connection,
    queue,
    config.queue.prefix,
    2 * config.webhooks.timeoutMs + config.queue.lockDurationMs + 60_000,
  );
  const worker = new Worker<WebhookJobData, DrainResult>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJobData, DrainResult>) => {
      if (!webhookJobValidator.Check(job.data)) throw new UnrecoverableError('acctnet/webhooks: malformed delivery job');
      // From now on a new publication queues a follow-up drain instead of joining this one.
      await job.removeDeduplicationKey().catch(() => {});
      const { webhookId } = job.data;
      const jobId = job.id!;
      if (job.name !== OPERATOR_DRAIN) {
        const pending = await chain.pendingOther(webhookId, jobId);
        if (pending)
          return { outcome: 'skipped', reason: `a retry of this webhook is pending (job ${pending}); it carries the served version` };
      }
      const operator = job.name === OPERATOR_DRAIN;
      const drain = () =>
        drainWebhook(
          { config, driver: deps.driver, redis: deps.connection },
          webhookId,
          job.attemptsMade + 1,
          operator ? config.webhooks.timeoutMs + 5_000 : 0,
        );
      // Whether this job took a deferred drain's note: if it then fails for good, that drain's
      // publication still gets a chain.
      let tookNote = false;
      try {
        let result = await drain();
        if (await chain.end(webhookId, jobId)) {
          // A publication deferred to this chain while it finished: drain once more (nothing to do is cheap).
          tookNote = true;
          const again = await drain();
          if (again.outcome === 'caught-up')
            result =
              result.outcome === 'caught-up' ? { outcome: 'caught-up', deliveries: [...result.deliveries, ...again.deliveries] } : again;
        }
        return result;
      } catch (err) {
        if (!(err instanceof UnrecoverableError) && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
          // The delay BullMQ will wait before the retry: its own calculation, from the job's options.
          const backoff = Backoffs.normalize(job.opts.backoff ?? 0);
          const delay = backoff ? await Backoffs.calculate(backoff, job.attemptsMade + 1, err as Error, job) : 0;
          await chain.markPending(webhookId, jobId, Math.max(0, delay ?? 0));
        } else if ((await chain.end(webhookId, jobId)) || tookNote) {
          // Out of attempts, and publications waited for this chain: they get one chain of their own.
          await enqueueDrains(queue, [webhookId]);
        }
        throw err;
      }
    },
    {
      connection: deps.connection,
      prefix: config.queue.prefix,
      concurrency: config.webhooks.concurrency,
      lockDuration: config.queue.lockDurationMs,
      stalledInterval: config.queue.stalledIntervalMs,
      ...(opts.name ? { name: opts.name } : {}),
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'webhook delivery failed'),
  );
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'webhook worker error'));
  worker.on('closed', () => void queue.close().catch(() => {}));
  return worker;
}
