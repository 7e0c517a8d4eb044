// Connections shared by one process (CLI command, worker process, server): opened lazily, closed once.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import type { Config } from './config/index.js';
import type { Logger } from './logger.js';
import { createDriver } from './neo4j/driver.js';
import { checkConnectivity, startLocalNeo4j, unauthorized } from './neo4j/local.js';
import { createIngestBatchRepository, type IngestBatchRepository } from './neo4j/repositories/ingest-batches.js';
import { applySchema } from './neo4j/schema.js';
import { createIngestQueue, type IngestJobData } from './queue/ingest-queue.js';
import { createRecomputeQueue, type RecomputeJobData } from './queue/recompute-queue.js';
import { createWebhookQueue, type WebhookJobData } from './queue/webhook-queue.js';
import { createPublishQueue, type PublishJobData } from './queue/publish-queue.js';
import type { PublishDeps } from './blacklist/publish.js';
import { createProducerRedis, createRedis, pingRedis, redactUrl, redisDurabilityWarnings, waitForReady } from './redis/connection.js';
import { Misconfigured, StorageUnavailable } from './errors.js';

export interface RuntimeOptions {
  /**
   * The API process (acctnet serve): a request must not wait for a store that is down. Its Redis
   * connection fails fast (createProducerRedis: no offline queue) and its Neo4j driver gives up
   * after API_NEO4J's bounds instead of retrying for ACCTNET_NEO4J_MAX_RETRY_MS. Workers and CLI
   * commands leave it off: they wait for Redis to return and retry Neo4j for the configured time.
   */
  failFast?: boolean;
}

/**
 * The API's Neo4j bounds (failFast), measured in test/api/outages.integration.test.ts. A
 * transaction retries transient errors (a refused connection, a deadlock) for 2 s: with the
 * driver's backoff (about 1 s, then 2 s) that is three attempts, so while Neo4j refuses connections
 * a request answers 503 in about 3 s (the driver's default, ACCTNET_NEO4J_MAX_RETRY_MS's 30 s, made
 * it 33–59 s). A TCP connection not made within 2 s (the /health check's bound) is a failed
 * attempt. A Neo4j that accepts connections and never answers (a hung JVM) is bounded by the wait
 * for a pooled connection, 5 s: also what a request waits at most when all 50 pooled connections
 * are busy (the API is saturated: 503 with Retry-After rather than a queue of waiting requests).
 * None of them adds to a request while Neo4j answers.
 */
export const API_NEO4J = { connectionTimeoutMs: 2_000, maxRetryTimeMs: 2_000, connectionAcquisitionTimeoutMs: 5_000 } as const;

/** How long the API waits at start for its Redis connection and queues to be ready. */
export const API_REDIS_READY_MS = 10_000;

/**
 * A queue's connection errors are the shared connection's, which logs them ('redis connection
 * error'): without a listener BullMQ prints each one's stack to stderr, for every queue, at every
 * reconnection attempt while Redis is down.
 */
function quiet<Q extends Queue>(queue: Q): Q {
  queue.on('error', () => {});
  return queue;
}

export class Runtime {
  private _driver: Driver | undefined;
  private _redis: Redis | undefined;
  private _ingestQueue: Queue<IngestJobData> | undefined;
  private _recomputeQueue: Queue<RecomputeJobData> | undefined;
  private _webhookQueue: Queue<WebhookJobData> | undefined;
  private _publishQueue: Queue<PublishJobData> | undefined;
  private readonly closers: Array<() => Promise<unknown>> = [];

  /**
   * `progress`: where long steps that are not warnings say what they do (fetching and starting the
   * managed Neo4j can take minutes): a CLI writes them to stderr whatever its log level; without
   * it they are logged at info.
   */
  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly progress?: (line: string) => void,
    readonly opts: RuntimeOptions = {},
  ) {}

  /**
   * Makes sure Neo4j answers and the schema is applied. With NEO4J_URI unset this starts the
   * managed local Neo4j when it is not running; with NEO4J_URI set it only checks.
   */
  async ensureNeo4j(opts: { autoStart?: boolean } = {}): Promise<Driver> {
    const c = await checkConnectivity(this.config.neo4j);
    // It answered and refused the credentials: not an outage to wait out (exit 78, not 69).
    if (!c.ok && unauthorized(c))
      throw new Misconfigured(
        `acctnet/neo4j: the Neo4j at ${this.config.neo4j.uri} refused the credentials (${c.message}): ` +
          (this.config.neo4j.managed
            ? 'the managed local Neo4j keeps the password its data folder was initialised with: set NEO4J_PASSWORD to it (docs/neo4j-local.md).'
            : 'check NEO4J_USER and NEO4J_PASSWORD.'),
      );
    if (!c.ok) {
      if (this.config.neo4j.managed && (opts.autoStart ?? true)) {
        await startLocalNeo4j(this.config, (line) => (this.progress ? this.progress(line) : this.log.info(line)));
      } else {
        throw new StorageUnavailable(
          `acctnet/neo4j: no Neo4j answers at ${this.config.neo4j.uri} (${c.message}).` +
            (this.config.neo4j.managed
              ? ' Start the local one with `npx acctnet neo4j start`.'
              : ' Check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD.'),
          undefined,
          'neo4j',
        );
      }
    }
    const driver = this.driver();
    await applySchema(driver, this.config.neo4j);
    return driver;
  }

  async ensureRedis(): Promise<Redis> {
    const ping = await pingRedis(this.config.redis.url);
    if (!ping.ok) {
      throw new StorageUnavailable(
        `acctnet/redis: no Redis answers at ${redactUrl(this.config.redis.url)} (${ping.message}). Start one (redis-server) or set REDIS_URL.`,
        undefined,
        'redis',
      );
    }
    return this.connectRedis();
  }

  /** The shared connection once Redis answered a ping: ready (failFast), its durability checked. */
  private async connectRedis(): Promise<Redis> {
    const redis = this.redis();
    if (this.opts.failFast) {
      // Without an offline queue a command sent before the connection is ready fails.
      await waitForReady(redis, API_REDIS_READY_MS).catch((err: Error) => {
        throw new StorageUnavailable(
          `acctnet/redis: Redis at ${redactUrl(this.config.redis.url)} is not ready (${err.message})`,
          err,
          'redis',
        );
      });
    }
    await this.logDurability(redis);
    return redis;
  }

  /** Once per process: `worker` starts four workers, each of which ensures Redis. */
  private durabilityLogged = false;

  private async logDurability(redis: Redis): Promise<void> {
    if (this.durabilityLogged) return;
    this.durabilityLogged = true;
    for (const warning of await redisDurabilityWarnings(redis)) {
      // Eviction loses queued work: always a warning. No persistence is normal in development.
      if (warning.includes('maxmemory-policy')) this.log.warn(warning);
      else this.log.info(warning);
    }
  }

  /** The queues this process produces to (the API's). */
  private producedQueues(): Queue[] {
    return [this.ingestQueue(), this.recomputeQueue(), this.webhookQueue(), this.publishQueue()];
  }

  driver(): Driver {
    if (!this._driver) {
      const cfg = this.config.neo4j;
      const driver = this.opts.failFast
        ? createDriver(
            { ...cfg, maxRetryTimeMs: Math.min(cfg.maxRetryTimeMs, API_NEO4J.maxRetryTimeMs) },
            {
              connectionTimeoutMs: API_NEO4J.connectionTimeoutMs,
              connectionAcquisitionTimeoutMs: API_NEO4J.connectionAcquisitionTimeoutMs,
            },
          )
        : createDriver(cfg);
      this._driver = driver;
      this.closers.push(() => driver.close());
    }
    return this._driver;
  }

  /**
   * The ioredis connection queues and workers share (maxRetriesPerRequest: null): commands wait
   * while Redis is unreachable. With failFast (the API) they fail at once instead (createProducerRedis).
   */
  redis(): Redis {
    if (!this._redis) {
      const redis = this.opts.failFast ? createProducerRedis(this.config.redis.url) : createRedis(this.config.redis.url);
      redis.on('error', (err) => this.log.warn({ err: err.message }, 'redis connection error'));
      this._redis = redis;
      this.closers.push(async () => redis.quit().catch(() => redis.disconnect()));
    }
    return this._redis;
  }

  ingestQueue(): Queue<IngestJobData> {
    if (!this._ingestQueue) {
      const queue = quiet(createIngestQueue(this.config, this.redis()));
      this._ingestQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._ingestQueue;
  }

  recomputeQueue(): Queue<RecomputeJobData> {
    if (!this._recomputeQueue) {
      const queue = quiet(createRecomputeQueue(this.config, this.redis()));
      this._recomputeQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._recomputeQueue;
  }

  webhookQueue(): Queue<WebhookJobData> {
    if (!this._webhookQueue) {
      const queue = quiet(createWebhookQueue(this.config, this.redis()));
      this._webhookQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._webhookQueue;
  }

  publishQueue(): Queue<PublishJobData> {
    if (!this._publishQueue) {
      const queue = quiet(createPublishQueue(this.config, this.redis()));
      this._publishQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._publishQueue;
  }

  /**
   * Creates the queues this process produces to and waits until each is ready. The API calls it
   * before it listens: with failFast a queue first used while Redis is down would wait for ever for
   * its connection to become ready (and a command sent before it is, fails).
   */
  async openQueues(): Promise<void> {
    const queues = this.producedQueues();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(queues.map((q) => q.waitUntilReady())),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not ready within ${API_REDIS_READY_MS} ms`)), API_REDIS_READY_MS);
        }),
      ]);
    } catch (err) {
      throw new StorageUnavailable(
        `acctnet/redis: the queues on Redis at ${redactUrl(this.config.redis.url)} are not ready (${(err as Error).message})`,
        err,
        'redis',
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The API's start (failFast): Redis not answering does not stop it. What needs only Neo4j — the
   * gateways' pulls, every read — is served at once, and what needs Redis answers 503
   * (assertRedisReady) until the connection, retrying in the background, is ready; then the queues
   * open and writes are accepted without a restart. Logged as an error at start, and again when
   * Redis answers. With Redis up it is ensureRedis + openQueues.
   */
  async startRedisForApi(): Promise<void> {
    const ping = await pingRedis(this.config.redis.url);
    if (ping.ok) {
      await this.connectRedis();
      await this.openQueues();
      return;
    }
    this.log.error(
      `acctnet/redis: no Redis answers at ${redactUrl(this.config.redis.url)} (${ping.message}): serving reads and pulls; what needs Redis (ingest, recomputations, overrides, publications) answers 503 until it answers`,
    );
    const redis = this.redis();
    void Promise.all(this.producedQueues().map((q) => q.waitUntilReady())).then(
      async () => {
        this.log.info(`acctnet/redis: Redis answers at ${redactUrl(this.config.redis.url)}: writes are accepted`);
        await this.logDurability(redis);
      },
      () => {},
    );
  }

  /**
   * Refuses (503) work that needs Redis while this process's connection to it is down, before
   * anything is written: with failFast only (otherwise commands wait for Redis). A route declares
   * the need (`config: { redis: true }`) and the API checks it before the handler runs.
   */
  assertRedisReady(): void {
    if (!this.opts.failFast) return;
    const status = this.redis().status;
    if (status !== 'ready')
      throw new StorageUnavailable(
        `acctnet/redis: not connected to Redis at ${redactUrl(this.config.redis.url)} (${status})`,
        undefined,
        'redis',
      );
  }

  /** What serving a blacklist version needs: Neo4j, the publication lock, the webhook queue (and the retry queue of the watch's publications). */
  publishDeps(): PublishDeps {
    return {
      config: this.config,
      driver: this.driver(),
      redis: this.redis(),
      webhookQueue: this.webhookQueue(),
      publishQueue: this.publishQueue(),
    };
  }

  batches(): IngestBatchRepository {
    return createIngestBatchRepository(this.driver(), this.config.neo4j);
  }

  onClose(fn: () => Promise<unknown>): void {
    this.closers.unshift(fn);
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) {
      try {
        await close();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'error while closing');
      }
    }
  }
}
