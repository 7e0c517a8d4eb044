// Bounds how long an import waits for an unreachable Redis (ACCTNET_IMPORT_REDIS_WAIT_MS).
//
// The connections BullMQ uses never give up on a command (maxRetriesPerRequest: null: a worker must
// survive a Redis restart), so an import whose Redis is gone would wait for ever inside queue.add or
// getJobState. This watch owns a connection of its own and follows its events (close / reconnecting
// → down since then; ready → up) on a timer of its own, so it fires however the import is blocked;
// the import races its work against `aborted`. stop() closes the connection.
import type { Redis } from 'ioredis';

export class RedisOutage extends Error {
  constructor(readonly downMs: number) {
    super(`Redis unreachable for ${Math.round(downMs / 1000)} s`);
    this.name = 'RedisOutage';
  }
}

export class RedisOutageWatch {
  private downSince: number | null;
  private readonly timer: NodeJS.Timeout;
  private fail: ((err: RedisOutage) => void) | undefined;
  /** Rejects with RedisOutage once Redis has been unreachable for waitMs; never resolves. */
  readonly aborted: Promise<never>;
  private readonly down = () => {
    this.downSince ??= Date.now();
  };
  private readonly up = () => {
    this.downSince = null;
  };

  constructor(
    private readonly client: Redis,
    readonly waitMs: number,
    checkEveryMs = 250,
  ) {
    this.downSince = client.status === 'ready' ? null : Date.now();
    this.aborted = new Promise<never>((_, reject) => (this.fail = reject));
    this.aborted.catch(() => {}); // observed by race(); never an unhandled rejection
    client.on('error', () => {}); // reported through close / reconnecting
    client.on('close', this.down);
    client.on('reconnecting', this.down);
    client.on('end', this.down);
    client.on('ready', this.up);
    this.timer = setInterval(() => {
      if (this.downSince !== null && Date.now() - this.downSince >= this.waitMs) {
        this.fail?.(new RedisOutage(Date.now() - this.downSince));
        this.fail = undefined;
      }
    }, checkEveryMs);
    this.timer.unref();
  }

  /** How long Redis has been unreachable now (0 when it answers). */
  get downForMs(): number {
    return this.downSince === null ? 0 : Date.now() - this.downSince;
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.aborted]);
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.off('close', this.down);
    this.client.off('reconnecting', this.down);
    this.client.off('end', this.down);
    this.client.off('ready', this.up);
    this.client.disconnect();
  }
}
