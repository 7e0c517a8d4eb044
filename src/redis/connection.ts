import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections used by BullMQ Workers must not give up on a command (maxRetriesPerRequest: null),
 * otherwise a Redis restart makes a worker throw instead of waiting for Redis to return.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
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
