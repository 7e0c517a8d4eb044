// Prometheus metrics (prom-client): HTTP latency, queue depths, ingest progress, recompute
// durations, the served blacklist version. Gauges read Neo4j and Redis when scraped (cached 10 s).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import client from 'prom-client';
import { createBlacklistRepository } from '../../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../../neo4j/repositories/runs.js';
import { createSuccessorRepository } from '../../neo4j/repositories/successors.js';
import { createWebhookRepository } from '../../neo4j/repositories/webhooks.js';
import { watchKeys, watchSetInfo } from '../../watch/watch-set.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: client.Registry;
  }
}

const CACHE_MS = 10_000;

export default fp(
  async (app: FastifyInstance) => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'acctnet_' });
    const http = new client.Histogram({
      name: 'acctnet_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      http.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    let cached: { at: number; values: Awaited<ReturnType<typeof gather>> } | undefined;
    async function gather() {
      const rt = app.runtime;
      const queues = { ingest: rt.ingestQueue(), recompute: rt.recomputeQueue(), webhooks: rt.webhookQueue() };
      const counts: Record<string, Record<string, number>> = {};
      for (const [name, q] of Object.entries(queues))
        counts[name] = (await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')) as Record<string, number>;
      const totals = await rt.batches().totals();
      const runs = await createRunRepository(rt.driver(), app.config.neo4j).list(Number.MAX_SAFE_INTEGER, 20);
      const state = await createBlacklistRepository(rt.driver(), app.config.neo4j).state();
      const served =
        state.servedVersion === null ? null : await createBlacklistRepository(rt.driver(), app.config.neo4j).get(state.servedVersion);
      return {
        counts,
        written: totals.written,
        duplicates: totals.duplicates,
        rejected: totals.rejected,
        lastSucceeded: runs.find((r) => r.status === 'succeeded') ?? null,
        lastFinished: runs.find((r) => r.finishedAt !== null) ?? null,
        servedVersion: state.servedVersion,
        servedCount: served?.count ?? 0,
        webhooks: await createWebhookRepository(rt.driver(), app.config.neo4j).list(),
        watchSet: await watchSetInfo(rt.redis(), app.config.queue.prefix),
        watchStats: await rt.redis().hgetall(watchKeys(app.config.queue.prefix).stats),
        watchBreaker: await rt.redis().zcount(watchKeys(app.config.queue.prefix).autoListed, Date.now() - 3_600_000, '+inf'),
        successors: await createSuccessorRepository(rt.driver(), app.config.neo4j).counts(),
      };
    }
    const values = async () => {
      if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), values: await gather() };
      return cached.values;
    };

    new client.Gauge({
      name: 'acctnet_auth_requests',
      help: 'Since the start: key lookups sent to Neo4j (lookup), requests refused 401 (refused), refused 429 for too many failed attempts from one address (limited)',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        const a = app.authStats;
        this.set({ outcome: 'lookup' }, a.keyLookups);
        this.set({ outcome: 'refused' }, a.refused);
        this.set({ outcome: 'limited' }, a.limited);
      },
    });
    new client.Gauge({
      name: 'acctnet_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        const v = await values();
        for (const [queue, states] of Object.entries(v.counts))
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      },
    });
    new client.Gauge({
      name: 'acctnet_ingest_rows',
      help: 'Ingested rows by outcome since the start (rate() of written is the ingest rate)',
      labelNames: ['outcome'],
      registers: [registry],
      async collect() {
        const v = await values();
        this.set({ outcome: 'written' }, v.written);
        this.set({ outcome: 'duplicate' }, v.duplicates);
        this.set({ outcome: 'rejected' }, v.rejected);
      },
    });
    new client.Gauge({
      name: 'acctnet_recompute_last_duration_seconds',
      help: 'Duration of the last finished recompute run',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const r = (await values()).lastFinished;
        this.reset();
        if (r) this.set({ status: r.status }, (r.finishedAt! - r.startedAt) / 1000);
      },
    });
    new client.Gauge({
      name: 'acctnet_recompute_last_success_timestamp_seconds',
      help: 'When the last successful recompute finished (alert when it gets old)',
      registers: [registry],
      async collect() {
        const r = (await values()).lastSucceeded;
        if (r?.finishedAt) this.set(r.finishedAt / 1000);
      },
    });
    new client.Gauge({
      name: 'acctnet_blacklist_served_version',
      help: 'The blacklist version gateways get',
      registers: [registry],
      async collect() {
        const v = await values();
        if (v.servedVersion !== null) this.set(v.servedVersion);
      },
    });
    new client.Gauge({
      name: 'acctnet_blacklist_entries',
      help: 'Entries of the served blacklist version',
      registers: [registry],
      async collect() {
        this.set((await values()).servedCount);
      },
    });
    new client.Gauge({
      name: 'acctnet_webhook_lag_versions',
      help: 'Per webhook: the served blacklist version minus the last one its receiver acknowledged (0: caught up)',
      labelNames: ['webhook'],
      registers: [registry],
      async collect() {
        const v = await values();
        this.reset();
        if (v.servedVersion === null) return;
        for (const w of v.webhooks) this.set({ webhook: w.id }, v.servedVersion - (w.ackedVersion ?? 0));
      },
    });
    new client.Gauge({
      name: 'acctnet_webhook_paused',
      help: 'Per webhook: 1 while its deliveries are paused',
      labelNames: ['webhook'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const w of (await values()).webhooks) this.set({ webhook: w.id }, w.paused ? 1 : 0);
      },
    });
    // The successor watch: counters kept in Redis by every ingest worker process (docs/operations.md).
    new client.Gauge({
      name: 'acctnet_watch_set_size',
      help: "Accounts in the successor watch set: predecessors (listed or fraud-labelled) and their former counterparties; pending: successor candidates whose link could still pass the bar, scored again on any transfer of theirs and hourly; bytes: the set's size in Redis",
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const w = (await values()).watchSet;
        this.reset();
        if (!w) return;
        this.set({ kind: 'predecessors' }, w.predecessors);
        this.set({ kind: 'counterparties' }, w.counterparties);
        this.set({ kind: 'bytes' }, w.bytes);
        this.set({ kind: 'pending' }, w.pending ?? 0);
      },
    });
    new client.Gauge({
      name: 'acctnet_watch_events',
      help: 'Successor watch since the Redis keys were created: evidenceUpdates (pairs scored at ingest), provisional (links found), superseded (weaker links given way to a stronger one for the same successor), autoListed, breakerHeld (kept off the list by the breaker), failures',
      labelNames: ['event'],
      registers: [registry],
      async collect() {
        const stats = (await values()).watchStats;
        for (const event of ['evidenceUpdates', 'provisional', 'superseded', 'autoListed', 'breakerHeld', 'failures'])
          this.set({ event }, Number(stats[event] ?? 0));
      },
    });
    new client.Gauge({
      name: 'acctnet_watch_auto_listed_last_hour',
      help: 'Successors auto-listed in the last hour (the breaker holds further ones at ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR)',
      registers: [registry],
      async collect() {
        this.set((await values()).watchBreaker);
      },
    });
    new client.Gauge({
      name: 'acctnet_watch_successors',
      help: 'Successors found by the watch by status (provisional, confirmed, rejected, expired, superseded) and whether they are listed',
      labelNames: ['status', 'listed'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const c of (await values()).successors) this.set({ status: c.status, listed: String(c.listed) }, c.n);
      },
    });
    app.decorate('metrics', registry);
  },
  { name: 'acctnet-metrics', dependencies: ['acctnet-runtime'] },
);
