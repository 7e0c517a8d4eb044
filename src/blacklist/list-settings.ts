// The list's bar and release score as a run recorded them. A version built from a run's results —
// by the run itself, or later by an override, an approval, a pin, a rollback or the successor
// watch — judges every entry, provisional successors included, by that run's
// ACCTNET_BLACKLIST_THRESHOLD and ACCTNET_LIST_RELEASE_MARGIN, not by the settings of whichever
// process publishes (docs/decisions.md, "Settings the API reads: the run's").
import type { Driver } from 'neo4j-driver';
import { releaseScore } from '../analysis/blacklist.js';
import type { Config } from '../config/index.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';

export interface ListSettings {
  threshold: number;
  /** The score a listed account must fall below to leave the list; null: no hysteresis. */
  release: number | null;
}

/** The settings a run recorded (params.threshold, params.releaseScore), else this process's (no run, or recorded before they were kept). */
export function listSettingsOf(params: Record<string, unknown> | null | undefined, config: Config): ListSettings {
  const p = params ?? {};
  const threshold = typeof p.threshold === 'number' ? p.threshold : config.analysis.threshold;
  const release =
    typeof p.releaseScore === 'number' || p.releaseScore === null
      ? (p.releaseScore as number | null)
      : releaseScore(threshold, config.analysis.listReleaseMargin);
  return { threshold, release };
}

export async function runListSettings(driver: Driver, config: Config, runId: string | null): Promise<ListSettings> {
  const run = runId ? await createRunRepository(driver, config.neo4j).get(runId) : null;
  return listSettingsOf(run?.params, config);
}

/** Those of the run behind the served version (this process's before any version is served). */
export async function servedListSettings(driver: Driver, config: Config): Promise<ListSettings> {
  const repo = createBlacklistRepository(driver, config.neo4j);
  const { servedVersion } = await repo.state();
  const served = servedVersion === null ? null : await repo.get(servedVersion);
  return runListSettings(driver, config, served?.runId ?? null);
}
