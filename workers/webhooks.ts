// Webhook queue entry: signed blacklist pushes to gateways, retried with backoff. On start it asks
// every webhook to drain, so a receiver whose retries ran out while it was down catches up.
import type { Worker } from 'bullmq';
import { notifyWebhooks } from '../src/blacklist/publish.js';
import type { Runtime } from '../src/runtime.js';
import { createWebhookWorker } from '../src/webhooks/webhook-worker.js';

export async function startWebhookWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  const worker = createWebhookWorker({ config: rt.config, driver, connection: rt.redis(), log: rt.log.child({ queue: 'webhooks' }) }, opts);
  await notifyWebhooks(rt.publishDeps());
  return worker;
}
