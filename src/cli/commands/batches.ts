import type { Command } from 'commander';
import { describeBatch } from '../../ingest/batch-report.js';
import { retryFailedJobs } from '../../ingest/failed-jobs.js';
import { writeRejectsFile } from '../../ingest/import-file.js';
import { isFailedNow } from '../../neo4j/repositories/failed-ingest-jobs.js';
import { startIngestWorker } from '../../../workers/ingest.js';
import { positiveInt } from '../args.js';
import { CliError, EXIT, runCommand, say } from '../context.js';
import { table } from '../table.js';
import { createProgressBar } from '../progress.js';

export function registerBatches(program: Command): void {
  const batches = program.command('batches').description('Ingest batches: progress, rejected rows, failed jobs');
  batches
    .command('list')
    .description('The latest ingest batches, newest first: where each is and what it wrote (details: batches show)')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .option('--json', 'print them as JSON')
    .action((opts: { limit: number; json?: boolean }) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        const list = await rt.batches().recent(opts.limit);
        // The state from Neo4j alone (no queue look-ups per batch): a batch with jobs that failed for
        // good reads "writing" here until retried; `batches show` names them.
        const state = (b: (typeof list)[number]) =>
          b.expectedChunks !== null && b.chunksDone >= b.expectedChunks
            ? 'done'
            : b.abortReason !== null
              ? 'failed'
              : b.expectedChunks === null
                ? 'reading'
                : 'writing';
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify(
              list.map((b) => {
                const { doneSeqs: _omit, ...shown } = b;
                return { ...shown, createdAt: new Date(b.createdAt).toISOString(), state: state(b) };
              }),
              null,
              2,
            )}\n`,
          );
          return;
        }
        if (list.length === 0) {
          say('no ingest batches yet');
          return;
        }
        const rows = [['batch', 'source', 'name', 'created', 'state', 'rows', 'written', 'already stored', 'rejected', 'jobs']];
        for (const b of list)
          rows.push([
            b.id,
            b.source,
            b.name ?? '',
            new Date(b.createdAt).toISOString(),
            state(b),
            b.expectedRows === null ? '' : String(b.expectedRows),
            String(b.written),
            String(b.duplicates),
            String(b.rejected),
            `${b.chunksDone}/${b.expectedChunks ?? '?'}`,
          ]);
        process.stdout.write(`${table(rows)}\n`);
      }),
    );
  batches
    .command('show')
    .argument('<batchId>')
    .description('Progress and counts of an ingest batch, and its jobs that failed for good (JSON)')
    .action((batchId: string) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        const status = await rt.batches().status(batchId);
        if (!status) throw new CliError(`no ingest batch ${batchId}`, EXIT.failed);
        const { doneSeqs: _omit, ...shown } = status;
        const failedJobs: Array<{
          jobId: string;
          state: 'failed' | 'retrying';
          reason: string;
          failedAt: string | null;
          retries: number | null;
        }> = (await rt.batches().failed.ofBatch(batchId)).map((j) => ({
          jobId: j.jobId,
          state: isFailedNow(j) ? 'failed' : 'retrying',
          reason: j.reason,
          failedAt: new Date(j.failedAt).toISOString(),
          retries: j.retries,
        }));
        // The jobs only the queue knows failed (Neo4j was down when they failed, so they could not be
        // kept there) or lost: the report GET /v1/ingest/batches/:id gives. Without Redis, the kept ones only.
        let state: string | null = null;
        let queueChecked = true;
        try {
          await rt.ensureRedis();
          const report = (await describeBatch(rt.batches(), rt.ingestQueue(), batchId, { rejectedAfter: -1, rejectedLimit: 1 }))!;
          state = report.state;
          const kept = new Set(failedJobs.map((j) => j.jobId));
          for (const j of report.failedJobs)
            if (!kept.has(j.jobId)) failedJobs.push({ jobId: j.jobId, state: 'failed', reason: j.reason, failedAt: null, retries: null });
        } catch {
          queueChecked = false;
        }
        process.stdout.write(
          `${JSON.stringify({ ...shown, createdAt: new Date(shown.createdAt).toISOString(), state, failedJobs }, null, 2)}\n`,
        );
        if (!queueChecked) say('Redis did not answer: failedJobs lists only the jobs kept in Neo4j (state unknown)');
        if (status.abortReason !== null && status.chunksDone < (status.expectedChunks ?? Infinity))
          say(`${status.abortReason}: the batch is incomplete; run the same import again (rows already stored count as duplicates)`);
        if (failedJobs.some((j) => j.state === 'failed'))
          say(`jobs failed for good; their rows are kept: npx acctnet batches retry ${batchId}`);
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
  batches
    .command('retry')
    .argument('<batchId>')
    .option('--no-wait', 'enqueue and return; do not wait for the jobs to be written')
    .description(
      'Re-enqueue the kept rows of the jobs of a batch that failed for good (idempotent: rows already stored count as duplicates)',
    )
    .addHelpText('after', '\nExit codes: 0 every retried job written (or nothing to retry), 1 a job failed again.')
    .action((batchId: string, opts: { wait: boolean }) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        await rt.ensureRedis();
        const repo = rt.batches();
        if (!(await repo.status(batchId))) throw new CliError(`no ingest batch ${batchId}`, EXIT.failed);
        const queue = rt.ingestQueue();
        const outcome = await retryFailedJobs(queue, repo, batchId);
        for (const jobId of outcome.inFlight) say(`${jobId} is still in the queue (waiting or running): left alone`);
        if (outcome.requeued.length === 0) {
          say(`batch ${batchId}: no failed job with kept rows to retry`);
          return EXIT.ok;
        }
        const rows = outcome.requeued.reduce((n, j) => n + j.rows, 0);
        say(`batch ${batchId}: re-enqueued ${outcome.requeued.length} jobs (${rows} rows)`);
        if (!opts.wait) return EXIT.ok;
        if ((await queue.getWorkersCount()) === 0) {
          say('No worker process is connected; running one in this process.');
          const worker = await startIngestWorker(rt, { name: `acctnet-retry-${process.pid}` });
          rt.onClose(() => worker.close());
        }
        const seqs = new Set(outcome.requeued.map((j) => Number(j.jobId.slice(batchId.length + 1))));
        const bar = createProgressBar({
          total: seqs.size,
          format: ' {bar} {value}/{total} retried jobs written | failed again {failed}',
          initial: { failed: 0 },
        });
        rt.onClose(async () => bar.stop());
        for (;;) {
          const open = (await repo.failed.ofBatch(batchId)).filter((j) => seqs.has(j.seq));
          const failedAgain = open.filter(isFailedNow);
          bar.update(seqs.size - open.length, { failed: failedAgain.length });
          if (open.length === failedAgain.length) {
            bar.stop();
            const s = (await repo.status(batchId))!;
            say(`batch ${batchId}: ${s.written} written, ${s.duplicates} already stored, ${s.rejected} rejected in total`);
            for (const j of failedAgain) say(`${j.jobId} failed again: ${j.reason}`);
            return failedAgain.length > 0 ? EXIT.failed : EXIT.ok;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }),
    );
}
