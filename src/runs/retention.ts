// Automatic retention (ACCTNET_RETAIN_TRANSFERS_DAYS, ACCTNET_RETAIN_VERSIONS): applied after each
// successful run, recorded on the run, and announced loudly the first time settings take effect.
import type { Driver } from 'neo4j-driver';
import type { Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { createRetentionRepository } from '../neo4j/repositories/retention.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { prune, type PruneReport } from '../ops/prune.js';

const DAY = 86_400_000;

export interface RunRetention extends PruneReport {
  settings: { transfersDays: number; versions: number };
  /** True when these settings were applied for the first time (a warning is on the run). */
  firstApplication: boolean;
  /** The loud first-time warning (also added to the run's warnings), or null. */
  warning: string | null;
}

function enabled(config: Config): boolean {
  return config.analysis.retainTransfersDays > 0 || config.analysis.retainVersions > 0;
}

function pruneOptions(config: Config, asOf: number | null): { before?: number; keepVersions?: number } {
  const { retainTransfersDays: days, retainVersions: versions } = config.analysis;
  return {
    ...(days > 0 && asOf !== null ? { before: asOf - days * DAY } : {}),
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

/** Whether the stored "last applied" settings differ from the configured ones. */
async function isNewSetting(config: Config, driver: Driver): Promise<boolean> {
  const last = await createRetentionRepository(driver, config.neo4j).state();
  return !last || last.transfersDays !== config.analysis.retainTransfersDays || last.versions !== config.analysis.retainVersions;
}

/**
 * Applies the retention settings after a successful run and records what was deleted on the run.
 * Returns null when retention is off (both settings 0).
 */
export async function applyRetention(
  deps: { config: Config; driver: Driver; log: Logger },
  run: { id: string; asOf: number | null; warnings: readonly string[] },
): Promise<RunRetention | null> {
  const { config, driver, log } = deps;
  if (!enabled(config)) return null;
  const firstApplication = await isNewSetting(config, driver);
  const report = await prune({ config, driver }, pruneOptions(config, run.asOf), (line) => log.info({ runId: run.id }, line));
  let warning: string | null = null;
  if (firstApplication && total(report) > 0) {
    warning = `retention applied for the first time (${settingsText(config)}): deleted ${describeCounts(report)}`;
    log.warn({ runId: run.id, deleted: report.deleted, held: report.held }, warning);
  }
  const retention: RunRetention = {
    ...report,
    settings: { transfersDays: config.analysis.retainTransfersDays, versions: config.analysis.retainVersions },
    firstApplication,
    warning,
  };
  const warnings = warning ? [...run.warnings, warning] : [...run.warnings];
  await createRetentionRepository(driver, config.neo4j).setState({
    transfersDays: config.analysis.retainTransfersDays,
    versions: config.analysis.retainVersions,
    appliedAt: Date.now(),
  });
  await createRunRepository(driver, config.neo4j).setRetention(run.id, retention, warnings);
  return retention;
}

/**
 * At worker start: when retention settings are new to this store and it holds data they would
 * delete, says so before the first run deletes it (with the dry-run command to see the detail).
 */
export async function warnIfRetentionIsNew(deps: { config: Config; driver: Driver; log: Logger }): Promise<PruneReport | null> {
  const { config, driver, log } = deps;
  if (!enabled(config) || !(await isNewSetting(config, driver))) return null;
  const asOf = await createRetentionRepository(driver, config.neo4j).latestTransferAt();
  const report = await prune({ config, driver }, { ...pruneOptions(config, asOf), dryRun: true });
  if (total(report) === 0) return report;
  const flags = [
    report.before ? `--before ${report.before}` : '',
    config.analysis.retainVersions > 0 ? `--keep-versions ${config.analysis.retainVersions}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  log.warn(
    { deleted: report.deleted, held: report.held },
    `RETENTION IS NEWLY ENABLED (${settingsText(config)}): the next successful run will delete about ${describeCounts(report)}. ` +
      `See the detail with: npx acctnet prune --dry-run ${flags}; unset the settings now to keep the data.`,
  );
  return report;
}
