import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections used by BullMQ Workers must not give up on a command (maxRetriesPerRequest: null),
 * otherwise a Redis restart makes a worker throw instead of waiting for Redis to return.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}

/**
 * The API's connection (its queues as producers, the publication lock): while Redis is unreachable
 * a command fails at once instead of waiting in ioredis's offline queue until Redis returns
 * (BullMQ's "failing fast when Redis is down"). A command in flight when the connection drops fails
 * then too (maxRetriesPerRequest 0), one that Redis leaves unanswered after
 * PRODUCER_COMMAND_TIMEOUT_MS as well. ioredis reconnects by itself (every ≤ 2 s): the next request
 * after Redis returns works. Commands sent before the connection is ready fail: wait for
 * `waitForReady` before using it. Workers and CLI commands keep createRedis (they wait).
 */
export function createProducerRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    enableReadyCheck: true,
    lazyConnect: false,
    ...opts,
  });
}

/** How long the API waits for one Redis command (a queue's add, the lock) before answering 503. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

/** Resolves once `redis` is ready; rejects when it is not within `timeoutMs` or it ended. */
export async function waitForReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') redis.connect().catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  let onEnd: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onEnd = () => reject(new Error('the connection was closed'));
      redis.once('ready', onReady);
      redis.once('end', onEnd);
      timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
    if (onEnd) redis.off('end', onEnd);
  }
}

/**
 * An error from a producer connection (createProducerRedis) that means Redis did not take the
 * command: not connected (offline queue off), the connection dropped with it in flight, or no
 * answer within the command timeout. ioredis gives these no codes: its messages are matched.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  if (!e || typeof e.message !== 'string') return false;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    e.message.includes("Stream isn't writeable and enableOfflineQueue options is false") ||
    e.message === 'Connection is closed.' ||
    e.message === 'Command timed out'
  );
}

/**
 * Redis refused a write because it reached `maxmemory` (with `noeviction`, the policy BullMQ needs):
 * "OOM command not allowed when used memory > 'maxmemory'". Reads still work; every queue write
 * fails until memory is freed or the limit raised.
 */
export function isRedisOutOfMemory(err: unknown): boolean {
  const e = err as { message?: unknown } | null;
  return !!e && typeof e.message === 'string' && e.message.startsWith('OOM command not allowed');
}

/** A short-lived connection that fails fast: for health checks and CLI start-up checks. */
export function createProbeRedis(url: string, connectionName?: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true, retryStrategy: () => null, connectionName });
}

/** A Redis URL without its password, for messages and printed configuration. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'Redis';
  }
}

export async function pingRedis(url: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const redis = createProbeRedis(url);
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  } finally {
    redis.disconnect();
  }
}

/**
 * BullMQ loses jobs if Redis evicts keys. Returns a warning when the policy is not noeviction
 * (managed Redis services may forbid CONFIG; then nothing can be said).
 */
export async function redisDurabilityWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const policy = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy[1] && policy[1] !== 'noeviction') {
      warnings.push(
        `Redis maxmemory-policy is "${policy[1]}"; BullMQ needs "noeviction" or queued transactions can be evicted and lost (redis-cli CONFIG SET maxmemory-policy noeviction)`,
      );
    }
    const aof = (await redis.config('GET', 'appendonly')) as string[];
    if (aof[1] === 'no') {
      warnings.push('Redis appendonly is "no": queued jobs do not survive a Redis restart (fine for development, not for production)');
    }
  } catch {
    // CONFIG not allowed: nothing to check.
  }
  return warnings;
}
