import type { Command } from 'commander';
import { prune } from '../../ops/prune.js';
import { describeCounts } from '../../runs/retention.js';
import { positiveInt } from '../args.js';
import { CliError, EXIT, isoTimeOption, runCommand, say } from '../context.js';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      'Delete old data: transfers (accounts stay, with their first-seen time), ingest batches, runs and webhook deliveries before a date; old blacklist versions',
    )
    .option('--before <date>', 'ISO 8601 date: delete what is older')
    .option(
      '--keep-versions <n>',
      'keep only the newest N blacklist versions (the served and pinned ones, and any a webhook has not acknowledged past, always stay)',
      positiveInt,
    )
    .option(
      '--future',
      'delete transfers dated after the clock + ACCTNET_MAX_FUTURE_HOURS (stored before ingest refused them; runs leave them out and warn): then re-send the corrected rows',
    )
    .option('--dry-run', 'count what would be deleted; delete nothing')
    .addHelpText(
      'after',
      '\nNever pruned: the audit log, labels, overrides, accounts (id and first-seen time), the runs behind the served results and the served or pinned list, and the transfers of labelled, overridden or listed accounts (legal hold). Back up first (docs/operations.md).',
    )
    .action((opts: { before?: string; keepVersions?: number; future?: boolean; dryRun?: boolean }) =>
      runCommand(async (rt) => {
        if (opts.before === undefined && opts.keepVersions === undefined && !opts.future)
          throw new CliError('nothing to do: pass --before DATE, --keep-versions N and/or --future', EXIT.usage);
        const before = opts.before === undefined ? undefined : isoTimeOption('--before', opts.before, '2025-01-01');
        if (opts.keepVersions !== undefined && !(Number.isInteger(opts.keepVersions) && opts.keepVersions >= 1))
          throw new CliError('--keep-versions must be a positive integer', EXIT.usage);
        const driver = await rt.ensureNeo4j();
        const report = await prune(
          { config: rt.config, driver },
          {
            ...(before === undefined ? {} : { before }),
            ...(opts.keepVersions === undefined ? {} : { keepVersions: opts.keepVersions }),
            ...(opts.future ? { future: true } : {}),
            dryRun: opts.dryRun === true,
          },
          say,
        );
        if (report.dryRun)
          say(
            `dry run: nothing was deleted; it would delete ${describeCounts(report)}${report.future ? `, ${report.future.transfers} transfers dated after ${report.future.after}` : ''}`,
          );
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
}
