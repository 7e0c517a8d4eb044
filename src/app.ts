// The HTTP application as a fastify plugin tree (fastify/demo shape): external resources first,
// then the error handler, access control, metrics and docs, then routes. src/server.ts only listens;
// tests build this with inject.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createReadCache } from './api/context.js';
import { installErrorHandlers } from './api/errors.js';
import { createRunRepository } from './neo4j/repositories/runs.js';
import auth from './api/plugins/auth.js';
import bullBoard, { QUEUE_DASHBOARD } from './api/plugins/bull-board.js';
import consolePlugin, { CONSOLE_PREFIX } from './api/plugins/console.js';
import docs from './api/plugins/docs.js';
import metricsPlugin from './api/plugins/metrics.js';
import runtimePlugin, { type RuntimePluginOptions } from './api/plugins/runtime.js';
import health from './api/routes/health.js';
import metrics from './api/routes/metrics.js';
import accounts from './api/routes/v1/accounts.js';
import audit from './api/routes/v1/audit.js';
import blacklist, { isFreePoll } from './api/routes/v1/blacklist.js';
import clusters from './api/routes/v1/clusters.js';
import keys from './api/routes/v1/keys.js';
import labels from './api/routes/v1/labels.js';
import migrations from './api/routes/v1/migrations.js';
import paths from './api/routes/v1/paths.js';
import cases from './api/routes/v1/cases.js';
import review from './api/routes/v1/review.js';
import runs from './api/routes/v1/runs.js';
import transactions from './api/routes/v1/transactions.js';
import webhooks from './api/routes/v1/webhooks.js';
import type { Role } from './neo4j/repositories/keys.js';

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route with its access rule (for the access tests and the docs). */
    routeList: Array<{ method: string; url: string; roles: unknown }>;
  }
}

export type AppOptions = RuntimePluginOptions & {
  /** Mount extra plugins after the API (tests use it for probe routes). */
  extra?: Array<(app: FastifyInstance) => Promise<void>>;
};

/** The body a route accepts unless it asks for another limit (docs/api.md, "Limits"). */
export const ROUTE_BODY_LIMIT = 16 * 1024;

async function app(instance: FastifyInstance, opts: AppOptions): Promise<void> {
  await instance.register(runtimePlugin, opts);
  const runRepo = createRunRepository(instance.runtime.driver(), opts.config.neo4j);
  instance.decorate(
    'readCache',
    createReadCache(opts.config, () => runRepo.servedSnapshot()),
  );
  instance.decorateRequest('principal', null);
  installErrorHandlers(instance);

  // Routes plugins register themselves (docs, the queue dashboard) get their access rule here.
  const routeList: Array<{ method: string; url: string; roles: unknown }> = [];
  instance.decorate('routeList', routeList);
  instance.addHook('onRoute', (route) => {
    // Bodies: ACCTNET_BODY_LIMIT_BYTES is the most any route accepts; a route that needs more than
    // ROUTE_BODY_LIMIT (transactions, look-ups) says so, and never gets more than the setting.
    // The queue dashboard (admin only) edits and adds whole ingest jobs: the setting, as transactions.
    const asked = route.bodyLimit ?? (route.url.startsWith(QUEUE_DASHBOARD) ? opts.config.http.bodyLimitBytes : ROUTE_BODY_LIMIT);
    route.bodyLimit = Math.min(asked, opts.config.http.bodyLimitBytes);
    if (route.url.startsWith('/docs') || route.url.startsWith(CONSOLE_PREFIX)) route.config = { ...route.config, roles: 'public' };
    if (route.url.startsWith(QUEUE_DASHBOARD)) route.config = { ...route.config, roles: [] };
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routeList.push({ method, url: route.url, roles: route.config?.roles });
  });

  await instance.register(rateLimit, {
    max: opts.config.http.rateLimitPerMinute,
    timeWindow: 60_000,
    // The limiter's onRequest hook is route-level, so it runs after the auth plugin's global one:
    // requests with a valid key are counted per key (its id, not what was presented: random
    // tokens make no buckets), others per client address. Requests without a valid key never
    // get here — the auth plugin limits those per address before any key lookup.
    hook: 'onRequest',
    keyGenerator: (request) => (request.principal ? `k:${request.principal.keyId}` : `ip:${request.ip}`),
    // A gateway's poll answered 304 from the cached served state costs nothing: not counted.
    allowList: (request) => isFreePoll(instance, request),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit of ${context.max} requests per ${context.after} exceeded; retry after ${context.after}`,
    }),
  });
  await instance.register(auth);
  await instance.register(metricsPlugin);
  await instance.register(docs);

  await instance.register(health);
  await instance.register(metrics);
  await instance.register(
    async (v1) => {
      for (const routes of [transactions, labels, clusters, accounts, paths, cases, migrations, review, runs, blacklist, webhooks, keys, audit])
        await v1.register(routes);
    },
    { prefix: '/v1' },
  );
  await instance.register(bullBoard);
  await instance.register(consolePlugin);
  for (const extra of opts.extra ?? []) await instance.register(extra);
}

export default fp(app, { name: 'acctnet-app' });
