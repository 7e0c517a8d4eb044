// External resources first (fastify/demo order): config, Neo4j driver, Redis and queues, shared
// through one Runtime that the instance closes on shutdown.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config/index.js';
import { Runtime } from '../../runtime.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    runtime: Runtime;
  }
  interface FastifyContextConfig {
    /**
     * The route queues work or takes the publication lock (Redis): while the API's Redis connection
     * is down it answers 503 before its handler runs, so nothing is written that could not be
     * queued or published (an override's audit entry, a batch record).
     */
    redis?: boolean;
  }
}

export interface RuntimePluginOptions {
  config: Config;
  /** Tests and the demo may hand in a Runtime they own (then they close it). */
  runtime?: Runtime;
}

export default fp<RuntimePluginOptions>(
  async (app: FastifyInstance, opts) => {
    const owned = !opts.runtime;
    // The API fails fast while a store is down (503 within seconds, not a request that waits for
    // Redis or Neo4j to return); `acctnet serve` hands in such a Runtime too.
    const runtime = opts.runtime ?? new Runtime(opts.config, app.log as never, undefined, { failFast: true });
    app.decorate('config', opts.config);
    app.decorate('runtime', runtime);
    // Before the server listens: a fail-fast connection refuses commands until it is ready. The API
    // (failFast) starts without Redis too: reads and pulls need only Neo4j (startRedisForApi).
    try {
      if (runtime.opts.failFast) await runtime.startRedisForApi();
      else {
        await runtime.ensureRedis();
        await runtime.openQueues();
      }
      await runtime.ensureNeo4j({ autoStart: false });
    } catch (err) {
      // The connections this plugin opened do not outlive a failed start.
      if (owned) await runtime.close();
      throw err;
    }
    if (owned) app.addHook('onClose', () => runtime.close());
    app.addHook('preHandler', async (request) => {
      if (request.routeOptions.config?.redis) runtime.assertRedisReady();
    });
  },
  { name: 'acctnet-runtime' },
);
