// Retention: what old data acctnet deletes, on demand (`acctnet prune --before DATE`) or after each
// successful run (ACCTNET_RETAIN_* settings, src/runs/retention.ts). The audit log, labels,
// overrides and accounts (their id and firstSeenAt) are never pruned; the transfers of an account
// under legal hold (labelled, overridden or listed in the served version) are kept.
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { dataTimeLimit } from '../ingest/rules.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createRetentionRepository, type BulkStep } from '../neo4j/repositories/retention.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';

export interface PruneOptions {
  /** Delete transfers (not those under legal hold), ingest bookkeeping, runs and deliveries older than this. */
  before?: number;
  /** Keep only the newest N blacklist versions (the served and pinned ones, and any a webhook has not acknowledged past, always stay). */
  keepVersions?: number;
  /** Delete transfers dated after the clock + ACCTNET_MAX_FUTURE_HOURS (stored before ingest refused them). */
  future?: boolean;
  /** Count what would be deleted; delete nothing. */
  dryRun?: boolean;
}

export interface PruneCounts {
  transfers: number;
  batches: number;
  runs: number;
  deliveries: number;
  versions: number;
}

export interface PruneReport {
  before: string | null;
  dryRun: boolean;
  /** What was deleted (in a dry run: what would be). */
  deleted: PruneCounts;
  /** Legal hold: accounts whose transfers stay, and the old transfers kept for them. */
  held: { accounts: number; transfers: number };
  versionsDeleted: number[];
  /** With `future`: transfers dated after this time (the clock + ACCTNET_MAX_FUTURE_HOURS) deleted (or, in a dry run, found). */
  future?: { after: string; transfers: number };
  /** ms per step. */
  steps: Record<string, number>;
}

export function emptyCounts(): PruneCounts {
  return { transfers: 0, batches: 0, runs: 0, deliveries: 0, versions: 0 };
}

export async function prune(
  deps: { config: Config; driver: Driver },
  opts: PruneOptions,
  log: (line: string) => void = () => {},
): Promise<PruneReport> {
  const { config, driver } = deps;
  const dryRun = opts.dryRun === true;
  const steps: Record<string, number> = {};
  const deleted = emptyCounts();
  const held = { accounts: 0, transfers: 0 };
  const retention = createRetentionRepository(driver, config.neo4j);
  const blacklistRepo = createBlacklistRepository(driver, config.neo4j);
  const state = await blacklistRepo.state();
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const out = await work();
    steps[name] = Date.now() - started;
    return out;
  };
  if (opts.before !== undefined) {
    const before = opts.before;
    const heldIds = await timed('legal-hold', () => retention.heldAccounts(state.servedVersion));
    held.accounts = heldIds.length;
    // Never the run whose results are served, nor the runs behind the served and the pinned list
    // (a version the guard held back keeps an older run's list served: its record — the settings
    // the list was built with — stays).
    const current = await createRunRepository(driver, config.neo4j).currentRunId();
    const versionRuns = await Promise.all(
      [state.servedVersion, state.pinnedVersion].map(async (v) => (v === null ? null : ((await blacklistRepo.get(v))?.runId ?? null))),
    );
    const keep = [...new Set([current, ...versionRuns].filter((id): id is string => id !== null))];
    const preview = await timed('preview', () => retention.preview(before, heldIds, keep));
    held.transfers = preview.transfersHeld;
    if (dryRun) {
      Object.assign(deleted, {
        transfers: preview.transfers,
        batches: preview.batches,
        runs: preview.runs,
        deliveries: preview.deliveries,
      });
    } else {
      const bulk = async (name: BulkStep, key: keyof PruneCounts, params: { keep?: readonly string[]; held?: readonly string[] }) => {
        deleted[key] = await timed(name, () => retention.bulk(name, { before, ...params }));
        log(`pruned ${deleted[key]} ${key} in ${steps[name]} ms`);
      };
      await bulk('transfers', 'transfers', { held: heldIds });
      await bulk('ingest-bookkeeping', 'batches', {});
      await bulk('runs', 'runs', { keep });
      await bulk('deliveries', 'deliveries', {});
    }
    if (held.transfers > 0) log(`kept ${held.transfers} old transfers of ${held.accounts} accounts under legal hold`);
  }
  const versionsDeleted: number[] = [];
  if (opts.keepVersions !== undefined) {
    const keepVersions = opts.keepVersions;
    const old = await timed('versions', async () => {
      const versions = await retention.oldVersions(keepVersions, state.servedVersion, state.pinnedVersion);
      if (!dryRun) for (const version of versions) await retention.deleteVersion(version);
      return versions;
    });
    for (const version of old) versionsDeleted.push(version);
    deleted.versions = old.length;
    if (old.length && !dryRun) log(`deleted ${old.length} old blacklist versions`);
  }
  let future: PruneReport['future'];
  if (opts.future) {
    if (config.ingest.maxFutureHours === null)
      throw new Error('acctnet/prune: --future needs ACCTNET_MAX_FUTURE_HOURS (it is off: no transfer counts as dated in the future)');
    const after = dataTimeLimit(config);
    const n = await timed('future', () => retention.futureTransfers(after, dryRun));
    future = { after: new Date(after).toISOString(), transfers: n };
    if (!dryRun) log(`deleted ${n} transfers dated after ${future.after}`);
  }
  return {
    before: opts.before === undefined ? null : new Date(opts.before).toISOString(),
    dryRun,
    deleted,
    held,
    versionsDeleted,
    ...(future ? { future } : {}),
    steps,
  };
}
