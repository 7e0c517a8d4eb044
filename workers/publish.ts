// Blacklist-publish queue entry: retries of the successor watch's publication (src/queue/publish-queue.ts).
import type { Worker } from 'bullmq';
import { createPublishWorker } from '../src/blacklist/publish-worker.js';
import type { Runtime } from '../src/runtime.js';

export async function startPublishWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  await rt.ensureNeo4j();
  await rt.ensureRedis();
  return createPublishWorker(
    { publish: rt.publishDeps(), connection: rt.redis(), log: rt.log.child({ queue: 'blacklist-publish' }) },
    opts,
  );
}
