// Ingest queue entry: thin transport around src/ingest (validate payload → write chunk once).
import type { Worker } from 'bullmq';
import { keepFailedSet } from '../src/ingest/failed-jobs.js';
import { createIngestWorker } from '../src/ingest/ingest-worker.js';
import { createFailedIngestJobRepository } from '../src/neo4j/repositories/failed-ingest-jobs.js';
import type { Runtime } from '../src/runtime.js';
import { createSuccessorWatch } from '../src/watch/successor-watch.js';

export async function startIngestWorker(rt: Runtime, opts: { name?: string } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  const log = rt.log.child({ queue: 'ingest' });
  // Failed jobs a worker could not keep (Neo4j was down when they failed) are kept now.
  await keepFailedSet(rt.ingestQueue(), createFailedIngestJobRepository(driver, rt.config.neo4j), log).catch((err: Error) =>
    log.warn({ err: err.message }, 'could not keep the failed ingest jobs of the queue in Neo4j'),
  );
  const watch = rt.config.watch.enabled
    ? createSuccessorWatch({ config: rt.config, driver, redis: rt.redis(), publish: rt.publishDeps(), log })
    : undefined;
  return createIngestWorker({ config: rt.config, driver, connection: rt.redis(), log, ...(watch ? { watch } : {}) }, opts);
}
