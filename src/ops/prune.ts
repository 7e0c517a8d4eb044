// Retention: what old data acctnet deletes, on demand (`acctnet prune --before DATE`) or after each
// successful run (ACCTNET_RETAIN_* settings). The audit log, labels and overrides are never pruned.
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRetentionRepository, type BulkStep } from '../neo4j/repositories/retention.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';

export interface PruneOptions {
  /** Delete transfers (and then orphaned accounts), ingest bookkeeping, runs and deliveries older than this. */
  before?: number;
  /** Keep only the newest N blacklist versions (the served and pinned ones, and any a webhook has not acknowledged past, always stay). */
  keepVersions?: number;
}

export interface PruneReport {
  before: string | null;
  versionsDeleted: number[];
  steps: Record<string, number>;
}

export async function prune(
  deps: { config: Config; driver: Driver },
  opts: PruneOptions,
  log: (line: string) => void = () => {},
): Promise<PruneReport> {
  const { config, driver } = deps;
  const steps: Record<string, number> = {};
  const retention = createRetentionRepository(driver, config.neo4j);
  const bulk = async (name: BulkStep, params: { before?: number; keep?: readonly string[] }) => {
    const started = Date.now();
    await retention.bulk(name, params);
    steps[name] = Date.now() - started;
    log(`pruned ${name} in ${steps[name]} ms`);
  };
  if (opts.before !== undefined) {
    const before = opts.before;
    await bulk('transfers', { before });
    await bulk('orphan-accounts', {});
    await bulk('ingest-bookkeeping', { before });
    const current = await createRunRepository(driver, config.neo4j).currentRunId();
    await bulk('runs', { before, keep: current ? [current] : [] });
    await bulk('deliveries', { before });
  }
  const versionsDeleted: number[] = [];
  if (opts.keepVersions !== undefined) {
    const state = await createBlacklistRepository(driver, config.neo4j).state();
    for (const version of await retention.oldVersions(opts.keepVersions, state.servedVersion, state.pinnedVersion)) {
      await retention.deleteVersion(version);
      versionsDeleted.push(version);
    }
    if (versionsDeleted.length) log(`deleted ${versionsDeleted.length} old blacklist versions`);
  }
  return { before: opts.before === undefined ? null : new Date(opts.before).toISOString(), versionsDeleted, steps };
}
