// Runs the retries of the "blacklist-publish" queue: the successor watch's publication again, as
// the watch (held while a version is pinned). A publication that meets another holder of the lock is
// done: the watch's change was counted before the first attempt, so that holder publishes it before
// it lets go (publishFollowUps). Any other failure is retried with the queue's backoff.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { PUBLISH_QUEUE, publishJobValidator, type PublishJobData } from '../queue/publish-queue.js';
import { LockTimeout } from '../redis/lock.js';
import { publishVersion, type PublishDeps } from './publish.js';

export interface PublishRetryResult {
  version: number | null;
  publication: string;
}

export function createPublishWorker(
  deps: { publish: PublishDeps; connection: Redis; log: Logger },
  opts: { name?: string } = {},
): Worker<PublishJobData, PublishRetryResult> {
  const { config } = deps.publish;
  const worker = new Worker<PublishJobData, PublishRetryResult>(
    PUBLISH_QUEUE,
    async (job: Job<PublishJobData, PublishRetryResult>) => {
      if (!publishJobValidator.Check(job.data)) throw new UnrecoverableError('acctnet/blacklist-publish: malformed publication job');
      // From now on a new failure queues a follow-up retry instead of joining this one.
      await job.removeDeduplicationKey().catch(() => {});
      try {
        const p = await publishVersion(deps.publish, { source: 'watch' }, { waitMs: 60_000 });
        deps.log.info(
          { jobId: job.id, attempt: job.attemptsMade + 1, version: p.version, publication: p.publication },
          'watch publication retried',
        );
        return { version: p.followUps.at(-1) ?? p.version, publication: p.publication };
      } catch (err) {
        if (err instanceof LockTimeout) return { version: null, publication: 'pending behind another publication' };
        throw err;
      }
    },
    {
      connection: deps.connection,
      prefix: config.queue.prefix,
      concurrency: 1,
      lockDuration: config.queue.lockDurationMs,
      stalledInterval: config.queue.stalledIntervalMs,
      ...(opts.name ? { name: opts.name } : {}),
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message },
      'watch publication failed again (retried with backoff; the next publication of any kind carries it)',
    ),
  );
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'blacklist-publish worker error'));
  return worker;
}
