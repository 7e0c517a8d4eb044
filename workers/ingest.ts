// Ingest queue entry: thin transport around src/ingest (validate payload → write chunk once).
import type { Worker } from 'bullmq';
import { createIngestWorker } from '../src/ingest/ingest-worker.js';
import type { Runtime } from '../src/runtime.js';

export async function startIngestWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  return createIngestWorker({ config: rt.config, driver, connection: rt.redis(), log: rt.log.child({ queue: 'ingest' }) }, opts);
}
