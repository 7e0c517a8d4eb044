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
import { createRedis, pingRedis, redactUrl, redisDurabilityWarnings } from './redis/connection.js';
import { Misconfigured, StorageUnavailable } from './errors.js';

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
      );
    }
    const redis = this.redis();
    for (const warning of await redisDurabilityWarnings(redis)) {
      // Eviction loses queued work: always a warning. No persistence is normal in development.
      if (warning.includes('maxmemory-policy')) this.log.warn(warning);
      else this.log.info(warning);
    }
    return redis;
  }

  driver(): Driver {
    if (!this._driver) {
      const driver = createDriver(this.config.neo4j);
      this._driver = driver;
      this.closers.push(() => driver.close());
    }
    return this._driver;
  }

  /** The ioredis connection queues and workers share (maxRetriesPerRequest: null). */
  redis(): Redis {
    if (!this._redis) {
      const redis = createRedis(this.config.redis.url);
      redis.on('error', (err) => this.log.warn({ err: err.message }, 'redis connection error'));
      this._redis = redis;
      this.closers.push(async () => redis.quit().catch(() => redis.disconnect()));
    }
    return this._redis;
  }

  ingestQueue(): Queue<IngestJobData> {
    if (!this._ingestQueue) {
      const queue = createIngestQueue(this.config, this.redis());
      this._ingestQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._ingestQueue;
  }

  recomputeQueue(): Queue<RecomputeJobData> {
    if (!this._recomputeQueue) {
      const queue = createRecomputeQueue(this.config, this.redis());
      this._recomputeQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._recomputeQueue;
  }

  webhookQueue(): Queue<WebhookJobData> {
    if (!this._webhookQueue) {
      const queue = createWebhookQueue(this.config, this.redis());
      this._webhookQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._webhookQueue;
  }

  publishQueue(): Queue<PublishJobData> {
    if (!this._publishQueue) {
      const queue = createPublishQueue(this.config, this.redis());
      this._publishQueue = queue;
      this.closers.unshift(() => queue.close());
    }
    return this._publishQueue;
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
