import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { createProbeRedis } from '../../redis/connection.js';
import { createRunRepository } from '../../neo4j/repositories/runs.js';
import { iso } from '../context.js';
import { Nullable } from '../schemas/analysis.js';

const Check = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), error: Type.Optional(Type.String()) });

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  // The rest is for admins only (an admin key as bearer): error texts name internal hosts.
  neo4j: Type.Optional(Check),
  redis: Type.Optional(Check),
  workers: Type.Optional(Type.Object({ ingest: Type.Integer() })),
  queues: Type.Optional(
    Type.Object({
      ingest: Type.Object({ waiting: Type.Integer(), active: Type.Integer(), failed: Type.Integer(), delayed: Type.Integer() }),
    }),
  ),
  lastRun: Type.Optional(
    Nullable(
      Type.Object({
        id: Type.String(),
        status: Type.String(),
        startedAt: Nullable(Type.String()),
        finishedAt: Nullable(Type.String()),
        lastSucceededAt: Nullable(Type.String({ description: 'finish time of the newest succeeded run (null before any)' })),
      }),
    ),
  ),
});

const PROBE_TIMEOUT_MS = 2000;

async function timed(fn: () => Promise<unknown>): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message.split('\n')[0]! };
  } finally {
    clearTimeout(timer);
  }
}

const health: FastifyPluginAsyncTypebox = async (app) => {
  // One probe connection for the process, reused by every call (it fails fast when Redis is down,
  // without queueing pings, and reconnects on the next probe). Closed with the app.
  let probe: Redis | null = null;
  const redisProbe = (): Redis => {
    if (!probe) {
      probe = createProbeRedis(app.config.redis.url, `acctnet-health:${app.config.queue.prefix}`);
      probe.options.enableOfflineQueue = false;
      probe.on('error', () => {});
    }
    return probe;
  };
  app.addHook('onClose', async () => {
    probe?.disconnect();
  });

  app.get(
    '/health',
    {
      // Public on purpose: load balancers and orchestrators probe without credentials and get the
      // status alone. With an admin key: Neo4j and Redis checks, workers, queue depths, last run.
      // An admin key this process verified in the last hour is taken without a lookup when the cache
      // entry is old (as /metrics does): the details matter most while Neo4j, where keys live, is down.
      config: { roles: 'public', staleKeyOk: true },
      schema: {
        summary: 'Up or degraded; with an admin key also Neo4j, Redis, connected workers, queue depths and the last run',
        tags: ['operations'],
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (request, reply) => {
      const rt = app.runtime;
      const neo4j = await timed(() =>
        rt.driver().executeQuery('RETURN 1', {}, rt.config.neo4j.database ? { database: rt.config.neo4j.database } : {}),
      );
      const redis = await timed(async () => {
        const r = redisProbe();
        if (r.status === 'wait' || r.status === 'end' || r.status === 'close') await r.connect();
        else if (r.status !== 'ready') await new Promise((resolve) => r.once('ready', resolve));
        await r.ping();
      });
      const ok = neo4j.ok && redis.ok;
      const status = ok ? ('ok' as const) : ('degraded' as const);
      // A key that is not (or no longer) valid gets what anyone gets, not a 401: a load balancer's
      // probe with a stale key must still see the status. (It still counts as a failed attempt.)
      const principal = await app.optionalPrincipal(request, reply).catch(() => {
        reply.removeHeader('www-authenticate');
        reply.removeHeader('retry-after');
        return null;
      });
      if (principal?.role !== 'admin') return reply.code(ok ? 200 : 503).send({ status });

      let workers = 0;
      let counts = { waiting: 0, active: 0, failed: 0, delayed: 0 };
      if (redis.ok) {
        const q = rt.ingestQueue();
        workers = await q.getWorkersCount();
        const c = await q.getJobCounts('waiting', 'active', 'failed', 'delayed');
        counts = { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 };
      }
      let lastRun = null;
      if (neo4j.ok) {
        const repo = createRunRepository(rt.driver(), app.config.neo4j);
        const [runs, succeeded] = await Promise.all([repo.list(Number.MAX_SAFE_INTEGER, 1), repo.lastSucceeded()]);
        const last = runs[0];
        lastRun = last
          ? {
              id: last.id,
              status: last.status,
              startedAt: iso(last.startedAt),
              finishedAt: iso(last.finishedAt),
              lastSucceededAt: iso(succeeded?.finishedAt),
            }
          : null;
      }
      return reply.code(ok ? 200 : 503).send({ status, neo4j, redis, workers: { ingest: workers }, queues: { ingest: counts }, lastRun });
    },
  );
};

export default health;
