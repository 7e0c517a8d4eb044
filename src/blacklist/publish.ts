// Serving a blacklist version, and what follows: webhook deliveries. Also the override path: an
// override publishes a new version at once (no recompute), built from the served version's run
// results with the overrides in force. Publications are serialised by a Redis lock.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import { buildBlacklist, diffBlacklists, type BlacklistEntry } from '../analysis/blacklist.js';
import type { Config } from '../config/index.js';
import { toNumber } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { createWebhookRepository } from '../neo4j/repositories/webhooks.js';
import { txRunner } from '../neo4j/session.js';
import { enqueueDeliveries, type WebhookJobData } from '../queue/webhook-queue.js';
import { withRedisLock } from '../redis/lock.js';

export interface PublishDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
  webhookQueue: Queue<WebhookJobData>;
}

export function publishLock<T>(deps: PublishDeps, fn: () => Promise<T>): Promise<T> {
  return withRedisLock(deps.redis, `${deps.config.queue.prefix}:lock:blacklist-publish`, fn);
}

/** After a version became the served one: one signed delivery per webhook. */
export async function notifyServed(deps: PublishDeps, fromVersion: number | null, toVersion: number): Promise<void> {
  if (fromVersion === toVersion) return;
  const hooks = await createWebhookRepository(deps.driver, deps.config.neo4j).list();
  await enqueueDeliveries(
    deps.webhookQueue,
    hooks.map((h) => h.id),
    fromVersion,
    toVersion,
  );
}

export async function overridesCounter(deps: { config: Config; driver: Driver }): Promise<number> {
  const r = await txRunner(deps.driver, deps.config.neo4j).read((tx) => tx.run(cypher('blacklist/overrides-counter')));
  return toNumber(r.records[0]!.get('value'));
}

/**
 * A new version = the served version's run results (score ≥ that run's threshold) with the
 * overrides in force now. Served at once; a pin follows it (the pinned list plus the override).
 * Without a served version or run, the list is the overrides' includes alone.
 */
export async function publishOverrides(
  deps: PublishDeps,
): Promise<{ version: number; previous: number | null; added: number; removed: number }> {
  return publishLock(deps, async () => {
    const { config, driver } = deps;
    const blacklist = createBlacklistRepository(driver, config.neo4j);
    const state = await blacklist.state();
    const served = state.servedVersion === null ? null : await blacklist.get(state.servedVersion);
    const runId = served?.runId ?? null;
    let candidates: BlacklistEntry[] = [];
    let threshold = config.analysis.threshold;
    if (runId) {
      const run = await createRunRepository(driver, config.neo4j).get(runId);
      if (typeof run?.params.threshold === 'number') threshold = run.params.threshold;
      const r = await txRunner(driver, config.neo4j).read((tx) => tx.run(cypher('analysis/run-candidates'), { runId, threshold }));
      candidates = r.records.map((x) => ({
        accountId: x.get('accountId'),
        clusterId: x.get('clusterId') ?? null,
        score: Number(x.get('score')),
        reasons: x.get('reasons') ?? [],
      }));
      if (candidates.length === 0 && served && served.count > 0) {
        // The run's results were pruned: start from the served list without its manual entries.
        candidates = (await blacklist.entries(served.version)).filter((e) => e.reasons[0] !== 'MANUAL_INCLUDE');
      }
    }
    const entries = buildBlacklist(candidates, threshold, await blacklist.overrides());
    const before = served ? await blacklist.entries(served.version) : [];
    const diff = diffBlacklists(before, entries);
    const version = await blacklist.nextVersionNumber();
    await blacklist.writeVersion({
      version,
      runId,
      source: 'override',
      generatedAt: Date.now(),
      entries,
      basedOn: state.servedVersion,
      added: diff.added.length,
      removed: diff.removed.length,
    });
    await blacklist.serve(version, { pin: state.pinnedVersion !== null });
    await notifyServed(deps, state.servedVersion, version);
    return { version, previous: state.servedVersion, added: diff.added.length, removed: diff.removed.length };
  });
}
