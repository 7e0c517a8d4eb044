import type { Command } from 'commander';
import os from 'node:os';
import { checkLabelFile, importLabels, LABEL_SOURCES } from '../../labels/label-input.js';
import { createLabelRepository } from '../../neo4j/repositories/labels.js';
import { CliError, EXIT, runCommand, say } from '../context.js';
import { createProgressBar } from '../progress.js';

export function registerLabels(program: Command): void {
  const labels = program.command('labels').description('Investigator labels (fraud / legit)');
  labels
    .command('import')
    .argument('<file>', 'CSV with columns account_id,label,note[,source] (label: fraud or legit)')
    .option('--by <name>', 'who is importing (recorded with each label)', os.userInfo().username)
    .option('--source <kind>', `where the labels came from, unless a row's source column says: ${LABEL_SOURCES.join(', ')}`, 'import')
    .description('Append labels from a CSV file; exits 2 when rows were rejected')
    .action((file: string, opts: { by: string; source: string }) =>
      runCommand(async (rt) => {
        if (!(LABEL_SOURCES as readonly string[]).includes(opts.source))
          throw new CliError(`--source ${JSON.stringify(opts.source)}: expected one of ${LABEL_SOURCES.join(', ')}`, EXIT.usage);
        checkLabelFile(file);
        const driver = await rt.ensureNeo4j();
        const bar = createProgressBar({
          total: 1,
          format: ' {bar} {percentage}% | rows {rows} | labels added {created} | rejected {rejected}',
          initial: { rows: 0, created: 0, rejected: 0 },
        });
        let summary: Awaited<ReturnType<typeof importLabels>>;
        try {
          summary = await importLabels(createLabelRepository(driver, rt.config.neo4j), file, {
            source: opts.source,
            createdBy: opts.by,
            maxIdLength: rt.config.ingest.maxIdLength,
            onProgress: (p) =>
              bar.update(p.bytesTotal ? p.bytesRead / p.bytesTotal : 1, { rows: p.rows, created: p.created, rejected: p.rejected }),
          });
        } finally {
          bar.stop();
        }
        say(
          `${summary.rows} rows: ${summary.created} labels added, ${summary.unchanged} unchanged (same as the current label), ${summary.rejected.length} rejected`,
        );
        if (summary.unknownAccounts > 0)
          say(
            `${summary.unknownAccounts} labelled accounts have no transfer stored (yet): their labels are kept and count once the account trades — check the ids for typos (e.g. ${summary.unknownExamples.join(', ')})`,
          );
        for (const r of summary.rejected.slice(0, 50)) say(`  line ${r.line}: ${r.reason}`);
        if (summary.rejected.length > 50) say(`  ... and ${summary.rejected.length - 50} more`);
        return summary.rejected.length ? EXIT.rejectedRows : EXIT.ok;
      }),
    );
}
