// The ingest worker: takes a job (a chunk of rows), validates the payload, writes it exactly once.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { INGEST_QUEUE, ingestJobValidator, type IngestJobData } from '../queue/ingest-queue.js';
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
  worker.on('failed', (job, err) => {
    const final = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    log[final ? 'error' : 'warn'](
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message },
      final ? 'ingest job failed for good' : 'ingest job failed, will retry',
    );
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'ingest worker error'));
  return worker;
}
