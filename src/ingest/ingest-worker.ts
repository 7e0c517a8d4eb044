// The ingest worker: takes a job (a chunk of rows), validates the payload, writes it exactly once.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createFailedIngestJobRepository } from '../neo4j/repositories/failed-ingest-jobs.js';
import { INGEST_QUEUE, ingestJobValidator, type IngestJobData } from '../queue/ingest-queue.js';
import { keepFailedJob } from './failed-jobs.js';
import type { WatchedTransfer, WatchOutcome } from '../watch/successor-watch.js';
import { validationRules } from './rules.js';
import { writeIngestChunk, type ChunkOutcome } from './write-chunk.js';

export interface IngestWorkerDeps {
  config: Config;
  driver: Driver;
  connection: ConnectionOptions;
  log: Logger;
  /** Called after each written job (metrics). */
  onWritten?: (outcome: ChunkOutcome) => void;
  /** The successor watch (ACCTNET_WATCH): evaluates each job's new transfers after they are committed. */
  watch?: { afterWrite(transfers: readonly WatchedTransfer[]): Promise<WatchOutcome> };
}

export function createIngestWorker(
  deps: IngestWorkerDeps,
  opts: { name?: string; autorun?: boolean } = {},
): Worker<IngestJobData, ChunkOutcome> {
  const { config, driver, log } = deps;
  const rules = validationRules(config);
  const worker = new Worker<IngestJobData, ChunkOutcome>(
    INGEST_QUEUE,
    async (job: Job<IngestJobData, ChunkOutcome>) => {
      if (!ingestJobValidator.Check(job.data)) {
        const first = ingestJobValidator.Errors(job.data)[0];
        // Retrying a malformed payload cannot help: fail it once, visibly.
        throw new UnrecoverableError(
          `acctnet/ingest: malformed ingest job payload: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim(),
        );
      }
      const started = Date.now();
      let created: readonly WatchedTransfer[] = [];
      const outcome = await writeIngestChunk(driver, config.neo4j, job.data, rules, (t) => (created = t));
      log.debug({ jobId: job.id, ms: Date.now() - started, ...outcome }, 'ingest job written');
      if (deps.watch && created.length > 0) {
        const watched = await deps.watch.afterWrite(created);
        if (watched.provisional || watched.autoListed)
          log.info({ jobId: job.id, ...watched }, 'successor watch: provisional successors found');
      }
      deps.onWritten?.(outcome);
      return outcome;
    },
    {
      connection: deps.connection,
      prefix: config.queue.prefix,
      concurrency: config.ingest.workerConcurrency,
      lockDuration: config.queue.lockDurationMs,
      stalledInterval: config.queue.stalledIntervalMs,
      maxStalledCount: 3,
      autorun: opts.autorun ?? true,
      ...(opts.name ? { name: opts.name } : {}),
    },
  );
  const failedJobs = createFailedIngestJobRepository(driver, config.neo4j);
  worker.on('failed', (job, err) => {
    if (!job) return;
    // The state tells "for good" (failed) from "will retry" (delayed/waiting), UnrecoverableError included.
    void job
      .getState()
      .then(async (state) => {
        if (state !== 'failed') {
          log.warn({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'ingest job failed, will retry');
          return;
        }
        log.error({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'ingest job failed for good');
        // Its rows are kept in Neo4j (retry: acctnet batches retry BATCH). If Neo4j is down now, the
        // job stays in BullMQ's failed set and the next worker start keeps it (keepFailedSet).
        await keepFailedJob(failedJobs, job, err.message);
      })
      .catch((e: Error) =>
        log.error({ jobId: job.id, err: e.message }, 'could not keep the failed ingest job in Neo4j; the next worker start tries again'),
      );
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'ingest worker error'));
  return worker;
}
