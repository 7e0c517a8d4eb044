// The "webhooks" queue: one job per (webhook, published version), retried with exponential backoff.
import { Queue, type ConnectionOptions } from 'bullmq';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Config } from '../config/index.js';

export const WEBHOOK_QUEUE = 'webhooks';

export const WebhookJobSchema = Type.Object(
  {
    webhookId: Type.String({ pattern: '^wh_[0-9a-f]+$' }),
    fromVersion: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    toVersion: Type.Integer({ minimum: 1 }),
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

/** One delivery job per webhook for a newly served version. */
export async function enqueueDeliveries(
  queue: Queue<WebhookJobData>,
  webhookIds: readonly string[],
  fromVersion: number | null,
  toVersion: number,
): Promise<void> {
  if (!webhookIds.length) return;
  await queue.addBulk(
    webhookIds.map((webhookId) => ({
      name: 'deliver',
      data: { webhookId, fromVersion, toVersion },
      opts: { jobId: `${webhookId}-v${toVersion}` },
    })),
  );
}
