// One retry chain per webhook. Every publication asks each webhook to drain; a drain that has
// started cannot absorb later requests (it dropped its deduplication key), so while a receiver
// fails, each publication used to start a chain of retries of its own — N publications, N chains
// hitting the failing receiver (docs/decisions.md, "One retry chain per webhook").
//
// Now a drain that fails and will be retried leaves a marker naming its job. A later drain — a
// publication's, a worker's start, or an older chain's own retry — that finds the marker naming
// another job still waiting, delayed or running returns at once: that job reads the served version
// when it runs, so it carries the later publication too. Before it looks it leaves a note that it
// may defer, which stays until the chain ends; the chain that ends takes the note: after a delivery
// it drains once more (a publication that came while it finished), after its last failed attempt it
// queues one fresh drain (the deferred publications get a chain of their own, one at a time, never
// one each). An operator's drain (resume, redeliver) never defers: it waits for a delivery in
// flight, then goes out, and if it fails it becomes the pending retry that older chains defer to.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deleteIfEquals } from '../redis/lock.js';

const PENDING_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
/** A note outlives any chain (attempts ≤ 50 with capped backoff are days at most); it only guards a race. */
const NOTE_TTL_S = 7 * 24 * 3600;

export interface RetryChain {
  /** The job id of another drain of this webhook whose retry is pending, or null: go on. */
  pendingOther(webhookId: string, jobId: string): Promise<string | null>;
  /** This job failed and will be retried after about `delayMs`. */
  markPending(webhookId: string, jobId: string, delayMs: number): Promise<void>;
  /** This job's chain ended (delivered, or out of attempts); true when a drain deferred to it meanwhile. */
  end(webhookId: string, jobId: string): Promise<boolean>;
}

export function createRetryChain(redis: Redis, queue: Pick<Queue, 'getJobState'>, prefix: string, marginMs: number): RetryChain {
  const marker = (id: string) => `${prefix}:webhook-retry:${id}`;
  const note = (id: string) => `${prefix}:webhook-retry-deferred:${id}`;
  return {
    async pendingOther(webhookId, jobId) {
      // This chain's own retry goes on; the notes stay for its end.
      if ((await redis.get(marker(webhookId))) === jobId) return null;
      // The note first: a chain that ends after our look at the marker still sees it.
      await redis.set(note(webhookId), '1', 'EX', NOTE_TTL_S);
      const other = await redis.get(marker(webhookId));
      if (other && PENDING_STATES.has(await queue.getJobState(other))) return other;
      // No chain pending: our own reads come after every publication that left a note, and if we
      // fail, our chain carries them.
      await redis.del(note(webhookId));
      return null;
    },
    async markPending(webhookId, jobId, delayMs) {
      await redis.set(marker(webhookId), jobId, 'PX', Math.ceil(delayMs + marginMs));
    },
    async end(webhookId, jobId) {
      await deleteIfEquals(redis, marker(webhookId), jobId);
      return (await redis.getdel(note(webhookId))) !== null;
    },
  };
}
