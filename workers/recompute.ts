// Recompute queue entry: keeps the schedule in line with the configuration, then runs requests.
import type { Worker } from 'bullmq';
import { syncSchedule } from '../src/queue/recompute-queue.js';
import { createRecomputeWorker } from '../src/runs/recompute-worker.js';
import { warnIfRetentionIsNew } from '../src/runs/retention.js';
import type { Runtime } from '../src/runtime.js';

/**
 * `schedule: false` — a worker started for one command (`acctnet recompute --wait` with no worker
 * connected) runs requests but leaves the schedule to the deployment's workers: a shell without the
 * deployment's ACCTNET_RECOMPUTE_CRON must not put back a schedule they turned off or changed.
 */
export async function startRecomputeWorker(rt: Runtime, opts: { name?: string; schedule?: boolean } = {}): Promise<Worker> {
  const driver = await rt.ensureNeo4j();
  await rt.ensureRedis();
  if (opts.schedule === false) await rt.recomputeQueue().setGlobalConcurrency(1);
  else {
    const schedule = await syncSchedule(rt.recomputeQueue(), rt.config);
    rt.log.info({ schedule, tz: rt.config.analysis.tz }, schedule ? 'recompute schedule set' : 'recompute schedule off');
  }
  await warnIfRetentionIsNew({ config: rt.config, driver, log: rt.log.child({ queue: 'recompute' }) }).catch((err: Error) =>
    rt.log.warn({ err: err.message }, 'could not preview what retention will delete'),
  );
  return createRecomputeWorker(
    { config: rt.config, driver, redis: rt.redis(), webhookQueue: rt.webhookQueue(), log: rt.log.child({ queue: 'recompute' }) },
    opts,
  );
}
