// A Redis lease (SET NX PX, renewed while held, compare-and-delete on release) serialising work
// across API and worker processes: blacklist publications, one webhook's deliveries. A lease can
// still be lost (a stalled event loop, a Redis failover): work that must not be done twice fences
// its writes as well (see blacklist/publish.ts).
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** Deletes `key` only while it still holds `value` (one script: nothing can change it in between). */
export async function deleteIfEquals(redis: Redis, key: string, value: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, value)) === 1;
}

export class LockTimeout extends Error {
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`acctnet/lock: ${key} stayed taken for ${waitedMs} ms`);
    this.name = 'LockTimeout';
  }
}

export interface Lease {
  readonly key: string;
  readonly token: string;
  /** True once a renewal found the key gone or someone else's: stop and do not write. */
  readonly lost: boolean;
}

export interface LockOptions {
  /** Lease length; renewed every third of it while fn runs. */
  ttlMs?: number;
  /** How long to wait for a taken lock (0: try once). */
  waitMs?: number;
  /** Tests only: false simulates a holder whose event loop stalls (the lease is never renewed). */
  renew?: boolean;
}

export async function withRedisLock<T>(redis: Redis, key: string, fn: (lease: Lease) => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const token = crypto.randomBytes(12).toString('hex');
  const ttl = opts.ttlMs ?? 30_000;
  const waitMs = opts.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    if ((await redis.set(key, token, 'PX', ttl, 'NX')) === 'OK') break;
    if (Date.now() + delay > deadline) throw new LockTimeout(key, waitMs);
    await new Promise((r) => setTimeout(r, delay));
  }
  const lease = { key, token, lost: false };
  const timer =
    opts.renew === false
      ? undefined
      : setInterval(
          () => {
            redis.eval(RENEW, 1, key, token, String(ttl)).then(
              (ok) => {
                if (ok !== 1) lease.lost = true;
              },
              () => {},
            );
          },
          Math.max(10, Math.floor(ttl / 3)),
        );
  timer?.unref();
  try {
    return await fn(lease);
  } finally {
    if (timer) clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token).catch(() => {});
  }
}
