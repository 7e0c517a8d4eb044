// Ingest queue entry: thin transport around src/ingest (validate payload → write chunk once).
import type { Worker } from 'bullmq';
import { createIngestWorker } from '../src/ingest/ingest-worker.js';
import type { Runtime } from '../src/runtime.js';
import { createSuccessorWatch } from '../src/watch/successor-watch.js';

export async function startIngestWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  const log = rt.log.child({ queue: 'ingest' });
  const watch = rt.config.watch.enabled
    ? createSuccessorWatch({ config: rt.config, driver, redis: rt.redis(), publish: rt.publishDeps(), log })
    : undefined;
  return createIngestWorker({ config: rt.config, driver, connection: rt.redis(), log, ...(watch ? { watch } : {}) }, opts);
}
