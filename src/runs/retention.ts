// Automatic retention (ACCTNET_RETAIN_TRANSFERS_DAYS, ACCTNET_RETAIN_VERSIONS): applied after each
// successful run, recorded on the run, and announced loudly the first time settings take effect.
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import { dataTimeLimit } from '../ingest/rules.js';
import type { Logger } from '../logger.js';
import { createRetentionRepository } from '../neo4j/repositories/retention.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { prune, type PruneReport } from '../ops/prune.js';

const DAY = 86_400_000;

export interface RunRetention extends PruneReport {
  settings: { transfersDays: number; versions: number };
  /** True when these settings were applied for the first time (a warning is on the run). */
  firstApplication: boolean;
  /**
   * Settings new to the store: this run deleted nothing (dryRun true, `deleted` = what the next
   * successful run will delete) and announced them; the next run applies them.
   */
  announced: boolean;
  /** The loud first-time warning (also added to the run's warnings), or null. */
  warning: string | null;
}

function enabled(config: Config): boolean {
  return config.analysis.retainTransfersDays > 0 || config.analysis.retainVersions > 0;
}

function pruneOptions(config: Config, asOf: number | null): { before?: number; keepVersions?: number } {
  const { retainTransfersDays: days, retainVersions: versions } = config.analysis;
  return {
    // Relative to the run's data time, never to a time past the clock (+ ACCTNET_MAX_FUTURE_HOURS): an
    // --as-of in the future must not cut the history short.
    ...(days > 0 && asOf !== null ? { before: Math.min(asOf, dataTimeLimit(config)) - days * DAY } : {}),
    ...(versions > 0 ? { keepVersions: versions } : {}),
  };
}

function settingsText(config: Config): string {
  return `ACCTNET_RETAIN_TRANSFERS_DAYS=${config.analysis.retainTransfersDays}, ACCTNET_RETAIN_VERSIONS=${config.analysis.retainVersions}`;
}

export function describeCounts(r: PruneReport): string {
  const d = r.deleted;
  return (
    `${d.transfers} transfers${r.before ? ` before ${r.before}` : ''}, ${d.batches} ingest batches, ${d.runs} runs, ` +
    `${d.deliveries} webhook deliveries, ${d.versions} blacklist versions` +
    (r.held.transfers > 0 ? ` (kept ${r.held.transfers} old transfers of ${r.held.accounts} accounts under legal hold)` : '')
  );
}

const total = (r: PruneReport) => r.deleted.transfers + r.deleted.batches + r.deleted.runs + r.deleted.deliveries + r.deleted.versions;

/**
 * Where the configured settings stand: new (never announced: the next run announces them and
 * deletes nothing), pending (announced by a run: the next run deletes) or applied.
 */
async function settingState(config: Config, driver: Driver): Promise<'new' | 'pending' | 'applied'> {
  const last = await createRetentionRepository(driver, config.neo4j).state();
  if (!last || last.transfersDays !== config.analysis.retainTransfersDays || last.versions !== config.analysis.retainVersions) return 'new';
  return last.pending ? 'pending' : 'applied';
}

/**
 * Applies the retention settings after a successful run and records what was deleted on the run.
 * Settings new to the store (or changed) are first announced: that run deletes nothing, says on
 * the run and in the log what the next successful run will delete, and the next one deletes — so
 * an operator always has one run's time to unset them, also when the run is `recompute --wait`
 * right after setting them. Returns null when retention is off (both settings 0).
 */
export async function applyRetention(
  deps: { config: Config; driver: Driver; log: Logger },
  run: { id: string; asOf: number | null; warnings: readonly string[] },
): Promise<RunRetention | null> {
  const { config, driver, log } = deps;
  if (!enabled(config)) {
    // Off: forget the settings announced or applied before, so that turning them on again (the same
    // values included) is announced again rather than applied at once.
    const repo = createRetentionRepository(driver, config.neo4j);
    const last = await repo.state();
    if (last && (last.transfersDays !== 0 || last.versions !== 0 || last.pending))
      await repo.setState({ transfersDays: 0, versions: 0, appliedAt: Date.now(), pending: false });
    return null;
  }
  const state = await settingState(config, driver);
  const options = pruneOptions(config, run.asOf);
  const settings = { transfersDays: config.analysis.retainTransfersDays, versions: config.analysis.retainVersions };
  const stateRepo = createRetentionRepository(driver, config.neo4j);
  const runs = createRunRepository(driver, config.neo4j);
  if (state === 'new') {
    const preview = await prune({ config, driver }, { ...options, dryRun: true });
    if (total(preview) > 0) {
      const warning =
        `RETENTION IS NEWLY ENABLED (${settingsText(config)}): this run deleted nothing; the next successful run will delete about ${describeCounts(preview)}. ` +
        `See the detail with: npx acctnet prune --dry-run${dryRunFlags(config, preview)}; unset the settings before the next run to keep the data.`;
      log.warn({ runId: run.id, wouldDelete: preview.deleted, held: preview.held }, warning);
      const retention: RunRetention = { ...preview, settings, firstApplication: false, announced: true, warning };
      await stateRepo.setState({ ...settings, appliedAt: Date.now(), pending: true });
      await runs.setRetention(run.id, retention, [...run.warnings, warning]);
      return retention;
    }
  }
  const firstApplication = state !== 'applied';
  const report = await prune({ config, driver }, options, (line) => log.info({ runId: run.id }, line));
  let warning: string | null = null;
  if (firstApplication && total(report) > 0) {
    warning = `retention applied for the first time (${settingsText(config)}): deleted ${describeCounts(report)}`;
    log.warn({ runId: run.id, deleted: report.deleted, held: report.held }, warning);
  }
  const retention: RunRetention = { ...report, settings, firstApplication, announced: false, warning };
  const warnings = warning ? [...run.warnings, warning] : [...run.warnings];
  await stateRepo.setState({ ...settings, appliedAt: Date.now(), pending: false });
  await runs.setRetention(run.id, retention, warnings);
  return retention;
}

function dryRunFlags(config: Config, report: PruneReport): string {
  const flags = [
    report.before ? `--before ${report.before}` : '',
    config.analysis.retainVersions > 0 ? `--keep-versions ${config.analysis.retainVersions}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return flags ? ` ${flags}` : '';
}

/**
 * At worker start: when retention settings are new to this store, or announced by a run and not
 * applied yet, and the store holds data they would delete, says so (with the dry-run command to see
 * the detail): new settings are announced by the next run and applied by the one after it.
 */
export async function warnIfRetentionIsNew(deps: { config: Config; driver: Driver; log: Logger }): Promise<PruneReport | null> {
  const { config, driver, log } = deps;
  if (!enabled(config)) return null;
  const state = await settingState(config, driver);
  if (state === 'applied') return null;
  const asOf = await createRetentionRepository(driver, config.neo4j).latestTransferAt(dataTimeLimit(config));
  const report = await prune({ config, driver }, { ...pruneOptions(config, asOf), dryRun: true });
  if (total(report) === 0) return report;
  const when =
    state === 'new'
      ? 'the next successful run deletes nothing and announces it; the run after it will delete about'
      : 'a run announced them: the next successful run will delete about';
  log.warn(
    { deleted: report.deleted, held: report.held },
    `RETENTION IS NEWLY ENABLED (${settingsText(config)}): ${when} ${describeCounts(report)}. ` +
      `See the detail with: npx acctnet prune --dry-run${dryRunFlags(config, report)}; unset the settings now to keep the data.`,
  );
  return report;
}
