import type { Command } from 'commander';
import { writeRejectsFile } from '../../ingest/import-file.js';
import { CliError, EXIT, runCommand, say } from '../context.js';

export function registerBatches(program: Command): void {
  const batches = program.command('batches').description('Ingest batches: progress and rejected rows');
  batches
    .command('show')
    .argument('<batchId>')
    .description('Progress and counts of an ingest batch (JSON)')
    .action((batchId: string) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        const status = await rt.batches().status(batchId);
        if (!status) throw new CliError(`no ingest batch ${batchId}`, EXIT.failed);
        const { doneSeqs: _omit, ...shown } = status;
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      }),
    );
  batches
    .command('rejects')
    .argument('<batchId>')
    .option('--out <file>', 'write CSV to this file instead of stdout')
    .description('Rejected rows of a batch with their reasons (CSV: line,tx_id,reason,raw)')
    .action((batchId: string, opts: { out?: string }) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        if (!(await rt.batches().status(batchId))) throw new CliError(`no ingest batch ${batchId}`, EXIT.failed);
        await writeRejectsFile(rt.batches(), batchId, opts.out ?? process.stdout);
        if (opts.out) say(`written to ${opts.out}`);
      }),
    );
}
