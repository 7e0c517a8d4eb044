// Retention: what old data acctnet deletes, on demand (`acctnet prune --before DATE`) or after each
// successful run (ACCTNET_RETAIN_* settings). The audit log, labels and overrides are never pruned.
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { int } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { txRunner } from '../neo4j/session.js';

export interface PruneOptions {
  /** Delete transfers (and then orphaned accounts), ingest bookkeeping, runs and deliveries older than this. */
  before?: number;
  /** Keep only the newest N blacklist versions (the served and pinned ones always stay). */
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
  const session = () => driver.session(config.neo4j.database ? { database: config.neo4j.database } : {});
  const auto = async (name: string, params: Record<string, unknown>) => {
    const started = Date.now();
    const s = session();
    try {
      await s.run(cypher(`prune/${name}`), params);
    } finally {
      await s.close();
    }
    steps[name] = Date.now() - started;
    log(`pruned ${name} in ${steps[name]} ms`);
  };
  if (opts.before !== undefined) {
    const before = int(opts.before);
    await auto('transfers', { before });
    await auto('orphan-accounts', {});
    await auto('ingest-bookkeeping', { before });
    const current = await createRunRepository(driver, config.neo4j).currentRunId();
    await auto('runs', { before, keep: current ? [current] : [] });
    await auto('deliveries', { before });
  }
  const versionsDeleted: number[] = [];
  if (opts.keepVersions !== undefined) {
    const state = await createBlacklistRepository(driver, config.neo4j).state();
    const { read, write } = txRunner(driver, config.neo4j);
    const old = await read((tx) =>
      tx.run(cypher('prune/old-versions'), {
        keepCount: int(opts.keepVersions!),
        served: state.servedVersion === null ? null : int(state.servedVersion),
        pinned: state.pinnedVersion === null ? null : int(state.pinnedVersion),
      }),
    );
    for (const r of old.records) {
      const version = Number(r.get('version'));
      await write((tx) => tx.run(cypher('prune/delete-version'), { version: int(version) }));
      versionsDeleted.push(version);
    }
    if (versionsDeleted.length) log(`deleted ${versionsDeleted.length} old blacklist versions`);
  }
  return { before: opts.before === undefined ? null : new Date(opts.before).toISOString(), versionsDeleted, steps };
}
