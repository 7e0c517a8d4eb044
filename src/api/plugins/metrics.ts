// Prometheus metrics (prom-client): HTTP latency, queue depths, ingest progress, recompute
// durations, the served blacklist version. Gauges read Neo4j and Redis when scraped (cached 10 s).
// Each storage is a source of its own: one that fails or does not answer within 5 s leaves its
// series out of the scrape and sets acctnet_metrics_source_up{source} to 0; the rest still answers.
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
/** How long a scrape waits for one source (Prometheus's default scrape timeout is 10 s). */
const SOURCE_TIMEOUT_MS = 5_000;

type SourceRead<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * A storage read shared by every collector of a scrape and cached for CACHE_MS. Never rejects: a
 * failure or a read slower than SOURCE_TIMEOUT_MS is an { ok: false } result. A read that
 * outlives its scrape is joined, not repeated, by the next one (no pile-up while a store hangs).
 */
function cachedSource<T>(read: () => Promise<T>, onResult: (r: SourceRead<T>) => void): () => Promise<SourceRead<T>> {
  let cached: { at: number; result: Promise<SourceRead<T>> } | undefined;
  let reading: Promise<T> | undefined;
  return () => {
    const now = Date.now();
    if (cached && now - cached.at <= CACHE_MS) return cached.result;
    let pending = reading;
    if (!pending) {
      const started = read();
      pending = reading = started;
      const done = () => {
        if (reading === started) reading = undefined;
      };
      started.then(done, done);
    }
    const result = new Promise<SourceRead<T>>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, error: new Error(`no answer within ${SOURCE_TIMEOUT_MS / 1000} s`) }),
        SOURCE_TIMEOUT_MS,
      );
      pending
        .then(
          (value) => resolve({ ok: true, value }),
          (err: unknown) => resolve({ ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
        )
        .finally(() => clearTimeout(timer));
    }).then((r) => {
      onResult(r);
      return r;
    });
    cached = { at: now, result };
    return result;
  };
}

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

    const rt = app.runtime;
    const up: Record<string, boolean> = {};
    // Logged when a source goes down or comes back, not on every scrape of an outage.
    const report = (source: 'neo4j' | 'redis') => (r: SourceRead<unknown>) => {
      if (!r.ok && up[source] !== false)
        app.log.warn({ source, err: r.error.message }, 'metrics: a source failed; its series are left out');
      if (r.ok && up[source] === false) app.log.info({ source }, 'metrics: the source answers again');
      up[source] = r.ok;
    };
    const neo4j = cachedSource(async () => {
      const driver = rt.driver();
      const cfg = app.config.neo4j;
      const blacklist = createBlacklistRepository(driver, cfg);
      const runRepo = createRunRepository(driver, cfg);
      const [totals, runs, lastSucceeded, state, webhooks, successors] = await Promise.all([
        rt.batches().totals(),
        runRepo.list(Number.MAX_SAFE_INTEGER, 20),
        runRepo.lastSucceeded(),
        blacklist.state(),
        createWebhookRepository(driver, cfg).list(),
        createSuccessorRepository(driver, cfg).counts(),
      ]);
      const served = state.servedVersion === null ? null : await blacklist.get(state.servedVersion);
      return {
        written: totals.written,
        duplicates: totals.duplicates,
        rejected: totals.rejected,
        lastSucceeded,
        lastFinished: runs.find((r) => r.finishedAt !== null) ?? null,
        servedVersion: state.servedVersion,
        servedCount: served?.count ?? 0,
        webhooks,
        successors,
      };
    }, report('neo4j'));
    const redis = cachedSource(async () => {
      const prefix = app.config.queue.prefix;
      const queues = {
        ingest: rt.ingestQueue(),
        recompute: rt.recomputeQueue(),
        webhooks: rt.webhookQueue(),
        'blacklist-publish': rt.publishQueue(),
      };
      const counts: Record<string, Record<string, number>> = {};
      await Promise.all(
        Object.entries(queues).map(async ([name, q]) => {
          counts[name] = (await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')) as Record<string, number>;
        }),
      );
      const [watchSet, watchStats, watchBreaker] = await Promise.all([
        watchSetInfo(rt.redis(), prefix),
        rt.redis().hgetall(watchKeys(prefix).stats),
        rt.redis().zcount(watchKeys(prefix).autoListed, Date.now() - 3_600_000, '+inf'),
      ]);
      return { counts, watchSet, watchStats, watchBreaker };
    }, report('redis'));
    /** Leaves an unlabelled gauge out of the scrape (reset() alone shows it as 0). */
    const unset = (gauge: client.Gauge) => {
      gauge.reset();
      gauge.remove();
    };
    /** A source's values, or null when it failed: the caller leaves its series out. */
    const read = async <T>(source: () => Promise<SourceRead<T>>): Promise<T | null> => {
      const r = await source();
      return r.ok ? r.value : null;
    };

    new client.Gauge({
      name: 'acctnet_metrics_source_up',
      help: "1 when this scrape read the source (neo4j, redis); 0 when the read failed or took over 5 s: that source's series are left out (the error is in the API's log)",
      labelNames: ['source'],
      registers: [registry],
      async collect() {
        const [n, r] = await Promise.all([neo4j(), redis()]);
        this.set({ source: 'neo4j' }, n.ok ? 1 : 0);
        this.set({ source: 'redis' }, r.ok ? 1 : 0);
      },
    });
    new client.Counter({
      name: 'acctnet_auth_requests_total',
      help: "This API process's key lookups sent to Neo4j (lookup), requests refused 401 (refused), refused 429 for too many failed attempts from one address (limited); from 0 at the process's start",
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        const a = app.authStats;
        this.reset();
        this.inc({ outcome: 'lookup' }, a.keyLookups);
        this.inc({ outcome: 'refused' }, a.refused);
        this.inc({ outcome: 'limited' }, a.limited);
      },
    });
    new client.Gauge({
      name: 'acctnet_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        const v = await read(redis);
        this.reset();
        if (!v) return;
        for (const [queue, states] of Object.entries(v.counts))
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      },
    });
    new client.Gauge({
      name: 'acctnet_ingest_rows',
      help: 'Rows of the ingest batches still kept, by outcome: a gauge read from Neo4j that drops when prune or retention deletes old batches; deriv() of written is the ingest rate (rate() would read each drop as a reset)',
      labelNames: ['outcome'],
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        this.reset();
        if (!v) return;
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
        const r = (await read(neo4j))?.lastFinished;
        this.reset();
        if (r) this.set({ status: r.status }, (r.finishedAt! - r.startedAt) / 1000);
      },
    });
    new client.Gauge({
      name: 'acctnet_recompute_last_success_timestamp_seconds',
      help: 'When the newest successful recompute finished; absent before the first success (alert on its age and on absent(), docs/operations.md)',
      registers: [registry],
      async collect() {
        const r = (await read(neo4j))?.lastSucceeded;
        if (r?.finishedAt) this.set(r.finishedAt / 1000);
        else unset(this);
      },
    });
    new client.Gauge({
      name: 'acctnet_recompute_last_list_accounts',
      help: "The newest successful recompute's list: candidates (accounts it put on its list), still_listed (of them, kept by the list's hysteresis below the threshold, reason STILL_LISTED), listed_before (run-made entries of the version served when it started), review (the review list); absent before the first success",
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const counts = (await read(neo4j))?.lastSucceeded?.counts;
        this.reset();
        if (!counts) return;
        const kinds = { candidates: 'candidates', still_listed: 'stillListed', listed_before: 'listedBefore', review: 'review' };
        for (const [kind, key] of Object.entries(kinds)) {
          const n = counts[key];
          if (typeof n === 'number' && Number.isFinite(n)) this.set({ kind }, n);
        }
      },
    });
    new client.Gauge({
      name: 'acctnet_blacklist_served_version',
      help: 'The blacklist version gateways get',
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        if (v && v.servedVersion !== null) this.set(v.servedVersion);
        else unset(this);
      },
    });
    new client.Gauge({
      name: 'acctnet_blacklist_entries',
      help: 'Entries of the served blacklist version',
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        if (v) this.set(v.servedCount);
        else unset(this);
      },
    });
    new client.Gauge({
      name: 'acctnet_webhook_lag_versions',
      help: 'Per webhook: the served blacklist version minus the last one its receiver acknowledged (0: caught up)',
      labelNames: ['webhook'],
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        this.reset();
        if (!v || v.servedVersion === null) return;
        for (const w of v.webhooks) this.set({ webhook: w.id }, v.servedVersion - (w.ackedVersion ?? 0));
      },
    });
    new client.Gauge({
      name: 'acctnet_webhook_paused',
      help: 'Per webhook: 1 while its deliveries are paused',
      labelNames: ['webhook'],
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        this.reset();
        for (const w of v?.webhooks ?? []) this.set({ webhook: w.id }, w.paused ? 1 : 0);
      },
    });
    // The successor watch: state and counters kept in Redis by every ingest worker process (docs/operations.md).
    new client.Gauge({
      name: 'acctnet_watch_set_size',
      help: "Accounts in the successor watch set: predecessors (listed, fraud-labelled, or listed by a run within the migration's lag and dropped by a later one) and their former counterparties; dropped: the predecessors of the last kind; pending: successor candidates whose link could still pass the bar, scored again on any transfer of theirs and hourly; bytes: the set's size in Redis",
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const w = (await read(redis))?.watchSet;
        this.reset();
        if (!w) return;
        this.set({ kind: 'predecessors' }, w.predecessors);
        this.set({ kind: 'dropped' }, w.dropped ?? 0);
        this.set({ kind: 'counterparties' }, w.counterparties);
        this.set({ kind: 'bytes' }, w.bytes);
        this.set({ kind: 'pending' }, w.pending ?? 0);
      },
    });
    // A counter mirroring totals that ingest workers only ever increment in Redis: it goes down only
    // when the keys are deleted (a restore, a Redis without persistence), which rate() reads as the
    // reset it is. Every API process reports the same store-wide totals (max, not sum, across them).
    new client.Counter({
      name: 'acctnet_watch_events_total',
      help: 'Successor watch events of all ingest workers since the Redis keys were created: evidenceUpdates (pairs scored at ingest), provisional (links found), superseded (weaker links given way to a stronger one for the same successor), autoListed, breakerHeld (kept off the list by the breaker), failures',
      labelNames: ['event'],
      registers: [registry],
      async collect() {
        const stats = (await read(redis))?.watchStats;
        this.reset();
        if (!stats) return;
        for (const event of ['evidenceUpdates', 'provisional', 'superseded', 'autoListed', 'breakerHeld', 'failures'])
          this.inc({ event }, Number(stats[event] ?? 0));
      },
    });
    new client.Gauge({
      name: 'acctnet_watch_auto_listed_last_hour',
      help: 'Successors auto-listed in the last hour (the breaker holds further ones at ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR)',
      registers: [registry],
      async collect() {
        const v = await read(redis);
        if (v) this.set(v.watchBreaker);
        else unset(this);
      },
    });
    new client.Gauge({
      name: 'acctnet_watch_successors',
      help: 'Successors found by the watch by status (provisional, confirmed, rejected, expired, superseded) and whether they are listed',
      labelNames: ['status', 'listed'],
      registers: [registry],
      async collect() {
        const v = await read(neo4j);
        this.reset();
        for (const c of v?.successors ?? []) this.set({ status: c.status, listed: String(c.listed) }, c.n);
      },
    });
    app.decorate('metrics', registry);
  },
  { name: 'acctnet-metrics', dependencies: ['acctnet-runtime'] },
);
