import type { Command } from 'commander';
import { prune } from '../../ops/prune.js';
import { CliError, EXIT, isoTimeOption, runCommand, say } from '../context.js';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      'Delete old data: transfers (and accounts left without any), ingest batches, runs and webhook deliveries before a date; old blacklist versions',
    )
    .option('--before <date>', 'ISO 8601 date: delete what is older')
    .option('--keep-versions <n>', 'keep only the newest N blacklist versions (the served and pinned ones always stay)', (v) => Number(v))
    .addHelpText('after', '\nNever pruned: the audit log, labels, overrides, the served run. Back up first (docs/operations.md).')
    .action((opts: { before?: string; keepVersions?: number }) =>
      runCommand(async (rt) => {
        if (opts.before === undefined && opts.keepVersions === undefined)
          throw new CliError('nothing to do: pass --before DATE and/or --keep-versions N', EXIT.usage);
        const before = opts.before === undefined ? undefined : isoTimeOption('--before', opts.before, '2025-01-01');
        if (opts.keepVersions !== undefined && !(Number.isInteger(opts.keepVersions) && opts.keepVersions >= 1))
          throw new CliError('--keep-versions must be a positive integer', EXIT.usage);
        const driver = await rt.ensureNeo4j();
        const report = await prune(
          { config: rt.config, driver },
          { ...(before === undefined ? {} : { before }), ...(opts.keepVersions === undefined ? {} : { keepVersions: opts.keepVersions }) },
          say,
        );
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
}
