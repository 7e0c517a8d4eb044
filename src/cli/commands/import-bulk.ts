// `acctnet import FILE --bulk`: the offline back-fill of an empty graph, with progress per step.
import { bulkImport, type BulkOptions, type BulkStep, type BulkSummary } from '../../ingest/bulk-import.js';
import type { Runtime } from '../../runtime.js';
import { say } from '../context.js';
import { createProgressBar, formatRate, type ProgressBar } from '../progress.js';

const STEP_TEXT: Record<BulkStep, string> = {
  check: 'checking that the graph is empty and the disk has room',
  convert: 'converting the file into import files (the database stays available meanwhile)',
  stop: 'stopping Neo4j',
  import: 'neo4j-admin database import full',
  start: 'starting Neo4j',
  schema: 'creating constraints and indexes (cypher/schema)',
  verify: 'checking the counts',
};

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export async function runBulkImport(
  rt: Runtime,
  options: Omit<BulkOptions, 'say' | 'onStep' | 'onConvertProgress' | 'onImportProgress'>,
): Promise<BulkSummary> {
  let bar: ProgressBar | undefined;
  const started = Date.now();
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  try {
    return await bulkImport(rt.config, {
      ...options,
      say: (line) => {
        stopBar();
        say(line);
      },
      onStep: (step) => {
        stopBar();
        say(`[${step}] ${STEP_TEXT[step]}`);
        if (step === 'convert') {
          bar = createProgressBar({
            total: 1,
            format: ' {bar} {percentage}% | read {read} | to import {written} | duplicates {dup} | rejected {rejected} | {rate}',
            initial: { read: 0, written: 0, dup: 0, rejected: 0, rate: '-' },
          });
        } else if (step === 'import') {
          bar = createProgressBar({ total: 1, format: ' {bar} {percentage}% | {phase}', initial: { phase: 'starting' } });
        }
      },
      onConvertProgress: (p) =>
        bar?.update(p.bytesTotal ? p.bytesRead / p.bytesTotal : 1, {
          read: p.rowsRead,
          written: p.written,
          dup: p.duplicates,
          rejected: p.rejected,
          rate: formatRate(p.rowsRead, Date.now() - started),
        }),
      onImportProgress: (fraction, phase) => bar?.update(fraction, { phase }),
    });
  } finally {
    stopBar();
  }
}

export function printBulkSummary(s: BulkSummary, database: string): void {
  const steps = Object.entries(s.stepsMs)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  say(
    `batch ${s.batchId}: ${s.rowsRead} rows read, ${s.written} written, ${s.duplicates} already stored, ${s.rejected} rejected; ${s.accounts} accounts (${steps})`,
  );
  say(
    s.convertStartedOver
      ? `converted in one pass after the threads' read started over: ${s.convertStartedOver}`
      : `converted by ${s.convertThreads} thread${s.convertThreads === 1 ? '' : 's'}`,
  );
  if (s.rejectsFile) say(`rejected rows and their reasons: ${s.rejectsFile}`);
  if (s.mode === 'managed') {
    say(
      `imported into the managed Neo4j in ${(s.elapsedMs / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s); Neo4j was down for ${((s.downtimeMs ?? 0) / 1000).toFixed(1)} s`,
    );
    if (s.filesKept) say(`import files kept in ${s.files.dir}`);
    return;
  }
  say(
    [
      `NEO4J_URI is set: acctnet does not stop or start that server, so nothing is imported yet. The import files are in ${s.files.dir}.`,
      `On the Neo4j server (5.26; copy the folder there if it runs elsewhere and adjust the paths), with the database "${database}" holding no data:`,
      '  1. stop the server (Community has one database; the importer needs the whole server stopped): neo4j stop',
      `  2. ${s.adminCommand.map(shellQuote).join(' ')}`,
      '  3. start the server: neo4j start',
      `  4. re-apply acctnet's schema (constraints and indexes) and check the batch: npx acctnet batches show ${s.batchId}`,
      'See docs/operations.md, "Bulk back-fill".',
    ].join('\n'),
  );
}
