// The "webhooks" queue: one drain job per webhook. A drain delivers, under that webhook's lock, the
// diff from the receiver's acknowledged version to the served one, and loops while the served
// version is ahead; a failed delivery is retried with exponential backoff and then carries the
// newest diff (retries coalesce). Jobs never name a version, so none is ever dropped as a duplicate.
import crypto from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Config } from '../config/index.js';

export const WEBHOOK_QUEUE = 'webhooks';
/** The job name of an operator's drain (resume, redeliver): it never defers to a pending retry. */
export const OPERATOR_DRAIN = 'drain-now';

export const WebhookJobSchema = Type.Object(
  {
    webhookId: Type.String({ pattern: '^wh_[0-9a-f]+$' }),
    // Jobs queued before drains named a version pair; a drain ignores them (it reads the state).
    fromVersion: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    toVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type WebhookJobData = Static<typeof WebhookJobSchema>;
export const webhookJobValidator = Compile(WebhookJobSchema);

export function createWebhookQueue(config: Config, connection: ConnectionOptions): Queue<WebhookJobData> {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix: config.queue.prefix,
    defaultJobOptions: {
      attempts: config.webhooks.attempts,
      backoff: { type: 'exponential', delay: config.webhooks.backoffMs },
      removeOnComplete: { count: 1000, age: 7 * 24 * 3600 },
      removeOnFail: { count: 5000, age: 30 * 24 * 3600 },
    },
  });
}

/**
 * Asks for a drain of each webhook. Requests for a webhook whose drain waits join it (deduplication
 * by webhook); a drain that has started drops its deduplication key, so a request made meanwhile
 * queues one follow-up — and the drain re-reads the served version after it releases its lock. A
 * drain that finds a retry of its webhook pending returns at once (src/webhooks/retry-chain.ts).
 * `operator`: the webhooks an operator resumed or redelivered — their drain goes out at once, joins
 * no waiting drain and defers to no pending retry.
 */
export async function enqueueDrains(
  queue: Queue<WebhookJobData>,
  webhookIds: readonly string[],
  opts: { operator?: readonly string[] } = {},
): Promise<void> {
  if (!webhookIds.length) return;
  const jobId = (webhookId: string) => `${webhookId}-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  await queue.addBulk(
    webhookIds.map((webhookId) =>
      opts.operator?.includes(webhookId)
        ? { name: OPERATOR_DRAIN, data: { webhookId }, opts: { jobId: jobId(webhookId) } }
        : { name: 'drain', data: { webhookId }, opts: { jobId: jobId(webhookId), deduplication: { id: webhookId } } },
    ),
  );
}
