import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { pingRedis } from '../../redis/connection.js';

const Check = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), error: Type.Optional(Type.String()) });

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  neo4j: Check,
  redis: Check,
  workers: Type.Object({ ingest: Type.Integer() }),
  queues: Type.Object({
    ingest: Type.Object({ waiting: Type.Integer(), active: Type.Integer(), failed: Type.Integer(), delayed: Type.Integer() }),
  }),
});

async function timed(fn: () => Promise<unknown>): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message.split('\n')[0]! };
  }
}

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      // Public on purpose: load balancers and orchestrators probe without credentials. It tells
      // up/down, counts and the last run's time, nothing about accounts.
      config: { roles: 'public' },
      schema: {
        summary: 'Liveness and dependencies: Neo4j, Redis, connected workers, queue depths, last run',
        tags: ['operations'],
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (_request, reply) => {
      const rt = app.runtime;
      const neo4j = await timed(() =>
        rt.driver().executeQuery('RETURN 1', {}, rt.config.neo4j.database ? { database: rt.config.neo4j.database } : {}),
      );
      const redis = await timed(async () => {
        const r = await pingRedis(rt.config.redis.url);
        if (!r.ok) throw new Error(r.message);
      });
      let workers = 0;
      let counts = { waiting: 0, active: 0, failed: 0, delayed: 0 };
      if (redis.ok) {
        const q = rt.ingestQueue();
        workers = await q.getWorkersCount();
        const c = await q.getJobCounts('waiting', 'active', 'failed', 'delayed');
        counts = { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 };
      }
      const ok = neo4j.ok && redis.ok;
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', neo4j, redis, workers: { ingest: workers }, queues: { ingest: counts } });
    },
  );
};

export default health;
