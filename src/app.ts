// The HTTP application as a fastify plugin tree (fastify/demo shape): external resources first,
// then the error handler, then routes. src/server.ts only listens; tests build this with inject.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { installErrorHandlers } from './api/errors.js';
import runtimePlugin, { type RuntimePluginOptions } from './api/plugins/runtime.js';
import health from './api/routes/health.js';
import labels from './api/routes/v1/labels.js';
import transactions from './api/routes/v1/transactions.js';

export interface Principal {
  keyId: string;
  name: string;
  role: 'admin' | 'investigator' | 'ingest' | 'gateway';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type AppOptions = RuntimePluginOptions;

async function app(instance: FastifyInstance, opts: AppOptions): Promise<void> {
  await instance.register(runtimePlugin, opts);
  instance.decorateRequest('principal', null);
  installErrorHandlers(instance);

  await instance.register(health);
  await instance.register(
    async (v1) => {
      await v1.register(transactions);
      await v1.register(labels);
    },
    { prefix: '/v1' },
  );
}

export default fp(app, { name: 'acctnet-app' });
