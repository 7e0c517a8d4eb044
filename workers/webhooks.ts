// Webhook queue entry: signed blacklist pushes to gateways, retried with backoff.
import type { Worker } from 'bullmq';
import type { Runtime } from '../src/runtime.js';
import { createWebhookWorker } from '../src/webhooks/webhook-worker.js';

export async function startWebhookWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  return createWebhookWorker({ config: rt.config, driver, connection: rt.redis(), log: rt.log.child({ queue: 'webhooks' }) }, opts);
}
