import type { Command } from 'commander';
import { importFile, type ImportOptions, type ImportSummary } from '../../ingest/import-file.js';
import type { Runtime } from '../../runtime.js';
import { FormatError, inputFile, parseColumnMap } from '../../ingest/read-rows.js';
import { startIngestWorker } from '../../../workers/ingest.js';
import { intArg } from '../args.js';
import { checkWritableFolder, CliError, EXIT, runCommand, say } from '../context.js';
import { createProgressBar, formatRate, RetryNotices, settledShare } from '../progress.js';
import { ISO_CURRENCY_EXPONENTS } from '../../ingest/currencies.js';
import { printBulkSummary, runBulkImport } from './import-bulk.js';

type ImportCliOptions = {
  format?: string;
  map: string[];
  rejects?: string;
  batchSize?: number;
  json?: boolean;
  currency?: string;
} & BulkCliOptions;
type BulkCliOptions = { bulk?: boolean; bulkDir?: string; keepFiles?: boolean };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function printImportSummary(s: ImportSummary): void {
  say(
    `batch ${s.batchId}: ${s.rowsRead} rows read, ${s.written} written, ${s.duplicates} already stored, ${s.rejected} rejected in ${(s.elapsedMs / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`,
  );
  if (s.rejectsFile) say(`rejected rows and their reasons: ${s.rejectsFile}`);
  if (s.requeuedJobs > 0)
    say(
      `${s.requeuedJobs} jobs were lost from the queue (Redis restarted without persistence?) and enqueued again; the counts above are complete`,
    );
  for (const f of s.failedChunks)
    say(
      // A payload the worker refuses as malformed has no rows to keep (src/ingest/failed-jobs.ts).
      /malformed ingest job payload/.test(f.reason)
        ? `job ${f.jobId} failed: ${f.reason} (a malformed job keeps no rows: fix the file and import it again; rows already stored count as duplicates)`
        : `job ${f.jobId} failed after all retries: ${f.reason} (its rows are kept; once the cause is fixed: npx acctnet batches retry ${s.batchId})`,
    );
}

/**
 * What can be checked without a service, checked before any is reached (or a managed Neo4j started):
 * the file (exists, readable, a known format) and the folder of `--rejects` when given (the default
 * goes to the current folder only when rows are rejected, so a read-only one is no reason to refuse).
 */
export function checkImportInputs(file: string, format: string | undefined, rejectsFile: string | undefined): void {
  // A refused --format (or a name that says no format) is a usage error, as a bad --map is; a file
  // that is not there or not a file is a failure (exit 1).
  try {
    inputFile(file, format);
  } catch (err) {
    if (err instanceof FormatError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  if (rejectsFile !== undefined) checkWritableFolder('--rejects', rejectsFile, '; nothing was imported');
}

/** Import with a progress bar; starts an in-process worker when none is connected. */
export async function runImportWithProgress(rt: Runtime, options: Omit<ImportOptions, 'onProgress'>): Promise<ImportSummary> {
  checkImportInputs(options.file, options.format, options.rejectsFile);
  await rt.ensureRedis();
  await rt.ensureNeo4j();
  const queue = rt.ingestQueue();
  if ((await queue.getWorkersCount()) === 0) {
    say('No worker process is connected; running one in this process.');
    const worker = await startIngestWorker(rt, { name: `acctnet-import-${process.pid}` });
    rt.onClose(() => worker.close());
  }
  const started = Date.now();
  const bar = createProgressBar({
    total: 1,
    format:
      ' {bar} {percentage}% | read {read} | written {written} | already stored {dup} | rejected {rejected} | {rate}{retrying}{failed}',
    initial: { read: 0, written: 0, dup: 0, rejected: 0, rate: '-', retrying: '', failed: '' },
  });
  // In a log (no terminal) the bar is a line every 5 s: retries starting and clearing get their own lines.
  const notices = process.stderr.isTTY ? undefined : new RetryNotices(rt.config.queue);
  try {
    return await importFile(
      { config: rt.config, queue, connection: rt.redis(), batches: rt.batches() },
      {
        ...options,
        onProgress: (p) => {
          const notice = notices?.update(p);
          if (notice) say(notice);
          bar.update(settledShare(p), {
            read: p.rowsRead,
            written: p.written,
            dup: p.duplicates,
            rejected: p.rejected,
            rate: formatRate(p.written + p.duplicates + p.rejected, Date.now() - started),
            // Jobs whose last attempt failed (Neo4j away?) and that will be tried again.
            retrying: p.retryingChunks ? ` | jobs retrying ${p.retryingChunks}` : '',
            // Jobs that failed for good (their rows are kept: batches retry) show as they happen.
            failed: p.failedChunks ? ` | jobs failed ${p.failedChunks}` : '',
          });
        },
      },
    );
  } finally {
    bar.stop();
  }
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('Import transactions from a CSV or NDJSON file through the ingest queue')
    .argument('<file>', 'CSV or NDJSON file')
    .option('--format <format>', 'csv or ndjson (default: from the file extension)')
    .option('--map <canonical=source>', 'read a canonical field from another column (repeatable)', collect, [])
    .option('--rejects <file>', 'where to write rejected rows (default ./<file>.<batch>.rejects.csv)')
    .option('--batch-size <n>', 'rows per ingest job (1..50000)', intArg(1, 50000))
    .option(
      '--currency <code>',
      "the currency of this file's rows that name none (no currency column, or an empty cell); default ACCTNET_DEFAULT_CURRENCY",
    )
    .option('--json', 'print the summary as JSON on stdout')
    .option('--bulk', 'back-fill an EMPTY graph with neo4j-admin database import (stops the managed Neo4j meanwhile; see docs/ingest.md)')
    .option('--bulk-dir <dir>', 'with --bulk: where the import files go (kept); default .acctnet/bulk/<batch>, deleted after the import')
    .option('--keep-files', 'with --bulk: keep the import files after a successful import')
    .addHelpText(
      'after',
      '\nCanonical fields: tx_id, from_account, to_account, amount (decimal, major units), currency (optional), timestamp (ISO 8601 or epoch ms), channel (optional).\nExample (AMLSim): --map tx_id=tran_id --map from_account=orig_acct --map to_account=bene_acct --map amount=base_amt --map timestamp=tran_timestamp\nExit codes: 0 all rows written or already stored, 2 some rows rejected, 1 failure (also: --bulk refused because the graph is not empty), 64 a usage error (an unknown option, a bad --map, --batch-size or --format), 69 Neo4j or Redis unreachable.',
    )
    .action((file: string, opts: ImportCliOptions) =>
      runCommand(async (rt) => {
        let map: ReturnType<typeof parseColumnMap>;
        try {
          map = parseColumnMap(opts.map);
        } catch (err) {
          throw new CliError((err as Error).message, EXIT.usage);
        }
        const currency = opts.currency === undefined ? undefined : currencyOption(opts.currency, rt.config.ingest.currencyExponents);
        if (opts.bulk || opts.bulkDir !== undefined || opts.keepFiles) return runBulk(rt, file, map, { ...opts, currency });
        const summary = await runImportWithProgress(rt, {
          file,
          map,
          ...(currency ? { currency } : {}),
          ...(opts.format ? { format: opts.format } : {}),
          ...(opts.rejects ? { rejectsFile: opts.rejects } : {}),
          ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        printImportSummary(summary);
        if (summary.failedChunks.length > 0) return EXIT.failed;
        return summary.rejected > 0 ? EXIT.rejectedRows : EXIT.ok;
      }),
    );
}

/** `--currency`: an ISO 4217 code or one of ACCTNET_CURRENCY_EXPONENTS, upper-cased; else a usage error. */
function currencyOption(value: string, configured: Record<string, number>): string {
  const code = value.trim().toUpperCase();
  if (!ISO_CURRENCY_EXPONENTS.has(code) && configured[code] === undefined)
    throw new CliError(
      `--currency ${JSON.stringify(value)} is not an ISO 4217 code nor one configured in ACCTNET_CURRENCY_EXPONENTS (e.g. ETH:9,PTS:0)`,
      EXIT.usage,
    );
  return code;
}

/** `import FILE --bulk`: see src/ingest/bulk-import.ts. */
async function runBulk(rt: Runtime, file: string, map: ReturnType<typeof parseColumnMap>, opts: ImportCliOptions): Promise<number> {
  if (!opts.bulk) throw new CliError('--bulk-dir and --keep-files go with --bulk', EXIT.usage);
  checkImportInputs(file, opts.format, opts.rejects);
  const summary = await runBulkImport(rt, {
    file,
    map,
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.rejects ? { rejectsFile: opts.rejects } : {}),
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.bulkDir ? { dir: opts.bulkDir } : {}),
    ...(opts.currency ? { currency: opts.currency } : {}),
    ...(opts.keepFiles ? { keepFiles: true } : {}),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  printBulkSummary(summary, rt.config.neo4j.database ?? 'neo4j');
  return summary.rejected > 0 ? EXIT.rejectedRows : EXIT.ok;
}
