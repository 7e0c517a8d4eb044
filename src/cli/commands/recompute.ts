import type { Command } from 'commander';
import os from 'node:os';
import { QueueEvents } from 'bullmq';
import { RECOMPUTE_QUEUE, requestRecompute } from '../../queue/recompute-queue.js';
import type { RunSummary } from '../../runs/recompute.js';
import { startRecomputeWorker } from '../../../workers/recompute.js';
import { CliError, EXIT, isoTimeOption, runCommand, say } from '../context.js';
import { modelCardLines } from '../model-card.js';

export function registerRecompute(program: Command): void {
  program
    .command('recompute')
    .description('Request an analysis run (coalesced with one already waiting); --wait follows it to the end')
    .option(
      '--wait',
      'show progress per step; exit 0 when the run succeeded, 1 with the error otherwise or when a later run superseded it (its version is not published)',
    )
    .option('--as-of <time>', 'analyse as of this ISO 8601 time (default: the latest transfer)')
    .option('--json', 'print the run summary as JSON on stdout (without --wait: the request, {jobId, coalesced, workersConnected})')
    .option('--full', "read the whole window from Neo4j instead of starting from the previous run's snapshot (incremental runs)")
    .action((opts: { wait?: boolean; asOf?: string; json?: boolean; full?: boolean }) =>
      runCommand(async (rt) => {
        let asOf: number | null = null;
        if (opts.asOf !== undefined) {
          asOf = isoTimeOption('--as-of', opts.asOf, '2026-06-30T23:59:59Z');
        }
        await rt.ensureRedis();
        await rt.ensureNeo4j();
        const queue = rt.recomputeQueue();
        const connected = await queue.getWorkersCount();
        if (opts.wait && connected === 0) {
          say('No worker process is connected; running the recompute worker in this process.');
          const worker = await startRecomputeWorker(rt, { name: `acctnet-recompute-${process.pid}`, schedule: false });
          rt.onClose(() => worker.close());
        }
        const events = opts.wait ? new QueueEvents(RECOMPUTE_QUEUE, { connection: rt.redis(), prefix: rt.config.queue.prefix }) : undefined;
        if (events) {
          rt.onClose(() => events.close());
          await events.waitUntilReady();
        }
        const request = await requestRecompute(queue, {
          trigger: 'cli',
          requestedBy: `cli:${os.userInfo().username}`,
          requestedAt: Date.now(),
          asOf,
          ...(opts.full ? { full: true } : {}),
        });
        say(
          request.coalesced
            ? `Joined the recompute already waiting (job ${request.jobId}).`
            : `Recompute requested (job ${request.jobId}).`,
        );
        // The run happens where the recompute worker is: with one connected, its environment's
        // analysis settings apply, not this shell's (ACCTNET_FX_RATES set here changes nothing).
        if (connected > 0)
          say(
            `${connected} worker process${connected === 1 ? ' is' : 'es are'} connected: the run uses the analysis settings of the worker that takes it, not this command's environment.`,
          );
        if (!opts.wait) {
          if (connected === 0) say('No worker is connected: the run starts when one does (npx acctnet worker).');
          if (opts.json)
            process.stdout.write(
              `${JSON.stringify({ jobId: request.jobId, coalesced: request.coalesced, workersConnected: connected })}\n`,
            );
          return EXIT.ok;
        }
        const started = Date.now();
        let lastStep = '';
        events!.on('progress', ({ jobId, data }) => {
          if (jobId !== request.jobId || typeof data !== 'object' || data === null) return;
          const p = data as { runId: string; step: string; counts: Record<string, number> };
          if (p.step === lastStep && p.step !== 'load' && p.step !== 'write') return;
          lastStep = p.step;
          const detail =
            p.step === 'load' && p.counts.transfersRead
              ? ` (${p.counts.transfersRead} transfers read)`
              : p.step === 'write' && p.counts.accountsWritten
                ? ` (${p.counts.accountsWritten} accounts)`
                : '';
          say(`[${p.runId}] ${((Date.now() - started) / 1000).toFixed(1)} s  ${p.step}${detail}`);
        });
        const job = await queue.getJob(request.jobId);
        if (!job) throw new CliError(`job ${request.jobId} disappeared from the queue`);
        let summary: RunSummary;
        try {
          summary = (await job.waitUntilFinished(events!)) as RunSummary;
        } catch (err) {
          throw new CliError(`recompute failed: ${(err as Error).message}`);
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        say(
          `${summary.runId} ${summary.status} in ${((Date.now() - started) / 1000).toFixed(1)} s${summary.asOf ? ` (data as of ${summary.asOf})` : ''}: ${summary.counts.accounts ?? 0} accounts, ${summary.counts.clusters ?? 0} clusters, ${summary.counts.migrations ?? 0} migrations, blacklist v${summary.blacklistVersion} with ${summary.counts.blacklistEntries ?? 0} entries (${summary.publication}${summary.heldBecause ? `: ${summary.heldBecause}` : ''})`,
        );
        if (summary.model) for (const line of modelCardLines(summary.model, summary.runId)) say(line);
        if (summary.load)
          say(
            `window loaded ${summary.load.mode === 'incremental' ? 'incrementally' : 'in full'} (${summary.load.reason}): ` +
              `${summary.counts.transfersRead ?? 0} transfers read from Neo4j` +
              (summary.load.snapshot.saved ? '' : `; no snapshot kept: ${summary.load.snapshot.reason}`),
          );
        for (const w of summary.warnings) say(`warning: ${w}`);
        return summary.status === 'succeeded' ? EXIT.ok : EXIT.failed;
      }),
    );
}
