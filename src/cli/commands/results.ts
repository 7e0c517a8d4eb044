// Read-only views of the served run: clusters, migrations, runs.
import { migrationView, successorView } from '../../api/schemas/analysis.js';
import { createSuccessorRepository, successorKey } from '../../neo4j/repositories/successors.js';
import { servedListingByKey, withServedListing } from '../../watch/listing-state.js';
import type { Command } from 'commander';
import { createAnalysisRepository } from '../../neo4j/repositories/analysis.js';
import { createRunRepository } from '../../neo4j/repositories/runs.js';
import type { Runtime } from '../../runtime.js';
import { decimalArg, positiveInt } from '../args.js';
import { CliError, EXIT, runCommand } from '../context.js';
import { table } from '../table.js';

async function currentRun(rt: Runtime): Promise<string> {
  const driver = await rt.ensureNeo4j();
  const runId = await createRunRepository(driver, rt.config.neo4j).currentRunId();
  if (!runId) throw new CliError('no analysis run has completed yet: run `npx acctnet recompute --wait`', EXIT.failed);
  return runId;
}

export function registerResults(program: Command): void {
  program
    .command('clusters')
    .description('Clusters of the served run, riskiest first')
    .option('--top <n>', 'how many', positiveInt, 20)
    .option('--format <format>', 'table or json', 'table')
    .action((opts: { top: number; format: string }) =>
      runCommand(async (rt) => {
        if (opts.format !== 'table' && opts.format !== 'json') throw new CliError('--format must be table or json', EXIT.usage);
        const runId = await currentRun(rt);
        const clusters = await createAnalysisRepository(rt.driver(), rt.config.neo4j).topClusters(runId, opts.top);
        if (opts.format === 'json') {
          process.stdout.write(
            `${JSON.stringify(
              clusters.map(({ runId: r, ...c }) => ({ ...c, runId: r })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        const rows = [['cluster', 'risk', 'type', 'size', 'new', 'reasons']];
        for (const c of clusters)
          rows.push([c.clusterId, c.score.toFixed(2), c.type, String(c.size), c.isNew ? 'yes' : '', c.reasons.join('; ')]);
        process.stdout.write(`${table(rows)}\n(${runId})\n`);
      }),
    );

  program
    .command('migrations')
    .description(
      'Account migrations: MIGRATED_TO links of the served run (--status confirmed), or provisional successors found at ingest (--status provisional), or those an investigator rejected (--status rejected)',
    )
    .option('--format <format>', 'json (the only format)', 'json')
    .option(
      '--status <status>',
      'confirmed (links of the served run), provisional (found by the successor watch, no run yet) or rejected (by an investigator)',
      'confirmed',
    )
    .option('--min-score <score>', 'only links at or above this score (0..1)', decimalArg(0, 1), 0)
    .option('--limit <n>', 'at most this many', positiveInt, 100000)
    .action((opts: { format: string; status: string; minScore: number; limit: number }) =>
      runCommand(async (rt) => {
        if (opts.format !== 'json') throw new CliError('--format must be json', EXIT.usage);
        if (opts.status !== 'confirmed' && opts.status !== 'provisional' && opts.status !== 'rejected')
          throw new CliError('--status must be confirmed, provisional or rejected', EXIT.usage);
        const minScore = opts.minScore;
        if (opts.status === 'provisional' || opts.status === 'rejected') {
          const driver = await rt.ensureNeo4j();
          const items = await createSuccessorRepository(driver, rt.config.neo4j).list({
            statuses: [opts.status],
            minScore,
            after: null,
            limit: opts.limit,
          });
          process.stdout.write(`${JSON.stringify((await withServedListing(driver, rt.config, items)).map(successorView), null, 2)}\n`);
          return;
        }
        const runId = await currentRun(rt);
        const run = await createRunRepository(rt.driver(), rt.config.neo4j).get(runId);
        const links = await createAnalysisRepository(rt.driver(), rt.config.neo4j).migrations(runId, minScore, opts.limit);
        const watched = await servedListingByKey(
          rt.driver(),
          rt.config,
          await createSuccessorRepository(rt.driver(), rt.config.neo4j).byKeys(links.map((l) => successorKey(l.from, l.to))),
        );
        const out = links.map((l) => migrationView(l, run?.finishedAt ?? null, watched.get(successorKey(l.from, l.to))));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      }),
    );

  /** What retention deleted after a run, in a few characters ("" when it did not run). */
  function prunedColumn(retention: Record<string, unknown> | null): string {
    if (!retention) return '';
    if (typeof retention.error === 'string') return 'FAILED';
    const d = (retention.deleted ?? {}) as Record<string, number>;
    // A run that announced new settings deleted nothing: `deleted` is what the next run deletes.
    if (retention.announced === true) return `0 (next: ${d.transfers ?? 0} tx, ${d.versions ?? 0} versions)`;
    return `${d.transfers ?? 0} tx, ${d.versions ?? 0} versions`;
  }

  const runs = program.command('runs').description('Recompute runs: status, step timings, counts');
  runs
    .command('list')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action((opts: { limit: number }) =>
      runCommand(async (rt) => {
        const driver = await rt.ensureNeo4j();
        const list = await createRunRepository(driver, rt.config.neo4j).list(Number.MAX_SAFE_INTEGER, opts.limit);
        // The model's out-of-fold ROC-AUC per run: drift shows as a column.
        // "data as of": the data time the run analysed up to (the latest transfer unless asked), which
        // a few rows dated later than the rest move for the whole window.
        const rows = [
          ['run', 'status', 'trigger', 'started', 'data as of', 'seconds', 'accounts', 'clusters', 'blacklist', 'model ROC-AUC', 'pruned'],
        ];
        for (const r of list) {
          rows.push([
            r.id,
            r.status,
            r.trigger,
            new Date(r.startedAt).toISOString(),
            r.asOf === null ? '' : new Date(r.asOf).toISOString(),
            r.finishedAt ? ((r.finishedAt - r.startedAt) / 1000).toFixed(1) : '',
            String(r.counts.accounts ?? ''),
            String(r.counts.clusters ?? ''),
            r.blacklistVersion === null ? '' : `v${r.blacklistVersion}`,
            r.model && typeof r.model.rocAuc === 'number' ? String(r.model.rocAuc) : String(r.model?.status ?? ''),
            prunedColumn(r.retention),
          ]);
        }
        process.stdout.write(`${table(rows)}\n`);
      }),
    );
  runs
    .command('show')
    .argument('<runId>')
    .action((runId: string) =>
      runCommand(async (rt) => {
        const driver = await rt.ensureNeo4j();
        const run = await createRunRepository(driver, rt.config.neo4j).get(runId);
        if (!run) throw new CliError(`no run ${runId}`);
        process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      }),
    );
}
