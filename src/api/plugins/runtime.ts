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
}

export interface RuntimePluginOptions {
  config: Config;
  /** Tests and the demo may hand in a Runtime they own (then they close it). */
  runtime?: Runtime;
}

export default fp<RuntimePluginOptions>(
  async (app: FastifyInstance, opts) => {
    const owned = !opts.runtime;
    const runtime = opts.runtime ?? new Runtime(opts.config, app.log as never);
    app.decorate('config', opts.config);
    app.decorate('runtime', runtime);
    await runtime.ensureRedis();
    await runtime.ensureNeo4j({ autoStart: false });
    if (owned) app.addHook('onClose', () => runtime.close());
  },
  { name: 'acctnet-runtime' },
);
