// The "blacklist-publish" queue: the retry of a successor-watch publication that failed after its
// change was committed (a successor listed, confirmed or rejected while Neo4j was unreachable or the
// publication lost its lease). One retry waits at a time (deduplicated): it publishes the list as
// the watch with exponential backoff, so the successor is served without waiting for the next run.
// Any other publication in between carries the change too (the successors are a stored input of
// every build); the retry then finds nothing to change.
import { Queue, type ConnectionOptions } from 'bullmq';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Config } from '../config/index.js';

export const PUBLISH_QUEUE = 'blacklist-publish';

/**
 * 11 attempts, the first 2 s after the failure and each retry waiting twice the one before (2 s …
 * 1,024 s): the last one about 34 minutes after the failure (2,048 s; until 2026-12-06 10 attempts,
 * 17 minutes, while the docs said 34).
 */
export const PUBLISH_RETRY = { attempts: 11, delayMs: 2_000 } as const;

export const PublishJobSchema = Type.Object({ source: Type.Literal('watch') }, { additionalProperties: false });
export type PublishJobData = Static<typeof PublishJobSchema>;
export const publishJobValidator = Compile(PublishJobSchema);

export function createPublishQueue(config: Config, connection: ConnectionOptions): Queue<PublishJobData> {
  return new Queue<PublishJobData>(PUBLISH_QUEUE, {
    connection,
    prefix: config.queue.prefix,
    defaultJobOptions: {
      attempts: PUBLISH_RETRY.attempts,
      backoff: { type: 'exponential', delay: PUBLISH_RETRY.delayMs },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    },
  });
}

/**
 * Asks for a retry of the watch's publication, `PUBLISH_RETRY.delayMs` from now; joins the retry
 * already waiting (one is enough: it publishes whatever the successors are when it runs).
 */
export async function enqueuePublishRetry(queue: Queue<PublishJobData>): Promise<void> {
  await queue.add('watch', { source: 'watch' }, { delay: PUBLISH_RETRY.delayMs, deduplication: { id: 'watch' } });
}
