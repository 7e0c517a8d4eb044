// `npm run demo` → `acctnet demo`: the main job on sample data, from nothing: a seeded synthetic
// payment world with planted fraud → ingest through the queue → investigator labels → recompute →
// clusters, migrations and the blacklist.
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { createLabelRepository } from '../../neo4j/repositories/labels.js';
import { createAnalysisRepository } from '../../neo4j/repositories/analysis.js';
import { createBlacklistRepository } from '../../neo4j/repositories/blacklist.js';
import { createRunRepository } from '../../neo4j/repositories/runs.js';
import { requestRecompute, RECOMPUTE_QUEUE } from '../../queue/recompute-queue.js';
import { ensureLocalRedis } from '../../redis/local.js';
import { createRng } from '../../../dev/synth/rng.js';
import { createWorld } from '../../../dev/synth/world.js';
import { writeTransfersCsv } from '../../../dev/synth/write-csv.js';
import { startRecomputeWorker } from '../../../workers/recompute.js';
import { QueueEvents } from 'bullmq';
import type { RunSummary } from '../../runs/recompute.js';
import { intArg } from '../args.js';
import { EXIT, runCommand, say } from '../context.js';
import { printImportSummary, runImportWithProgress } from './import.js';
import { administer } from '../../blacklist/admin.js';
import { cliActor } from './blacklist.js';
import { modelCardLines } from '../model-card.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Generate a seeded payment world with planted fraud, ingest it, label each fraud account with probability 0.3 (seeded), recompute, show the results',
    )
    .option('--accounts <n>', 'accounts in the sample (100..1,000,000)', intArg(100, 1_000_000), 5000)
    .option('--seed <n>', 'seed of the sample', intArg(Number.MIN_SAFE_INTEGER), 42)
    .action((opts: { accounts: number; seed: number }) =>
      runCommand(async (rt) => {
        await ensureLocalRedis(rt.config.redis.url, say);
        const driver = await rt.ensureNeo4j();
        const dir = path.join(rt.config.projectRoot, '.acctnet', 'demo');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `world-${opts.accounts}-s${opts.seed}.csv`);
        const world = createWorld({ seed: opts.seed, accounts: opts.accounts, currency: rt.config.analysis.baseCurrency, activity: 0.7 });
        if (!fs.existsSync(file)) {
          say(
            `Generating a payment world of ${opts.accounts} accounts with planted fraud (seed ${opts.seed}) into ${path.relative(process.cwd(), file)}`,
          );
          await writeTransfersCsv(`${file}.partial`, world.transfers());
          fs.renameSync(`${file}.partial`, file);
        }
        say('1/3 Ingest through the queue and workers');
        const summary = await runImportWithProgress(rt, { file, map: {} });
        printImportSummary(summary);
        if (summary.failedChunks.length) return EXIT.failed;

        // Investigators have confirmed about 30% of the fraud accounts.
        const rng = createRng(`labels-${opts.seed}`);
        const fraud = world.truth
          .filter((a) => a.fraud)
          .map((a) => a.id)
          .sort();
        const labelled = fraud.filter(() => rng() < 0.3);
        const created = await createLabelRepository(driver, rt.config.neo4j).append(
          labelled.map((accountId) => ({
            accountId,
            label: 'fraud',
            note: 'demo: confirmed by an investigator',
            source: 'investigation',
            createdBy: 'demo',
          })),
        );
        say(`2/3 ${labelled.length} of ${fraud.length} fraud accounts labelled (${created.length} new labels)`);

        say('3/3 Recompute: graph, centrality, Louvain clusters, roles, migrations, risk, blacklist');
        const queue = rt.recomputeQueue();
        if ((await queue.getWorkersCount()) === 0) {
          const worker = await startRecomputeWorker(rt, { name: `acctnet-demo-${process.pid}` });
          rt.onClose(() => worker.close());
        }
        const events = new QueueEvents(RECOMPUTE_QUEUE, { connection: rt.redis(), prefix: rt.config.queue.prefix });
        rt.onClose(() => events.close());
        await events.waitUntilReady();
        let lastStep = '';
        events.on('progress', ({ data }) => {
          const step = (data as { step?: string }).step;
          if (step && step !== lastStep) {
            lastStep = step;
            say(`  … ${step}`);
          }
        });
        const runStarted = Date.now();
        const request = await requestRecompute(queue, { trigger: 'cli', requestedBy: 'demo', requestedAt: runStarted, asOf: null });
        const job = await queue.getJob(request.jobId);
        const run = (await job!.waitUntilFinished(events)) as RunSummary;
        // Wall time: the step timings hold sub-steps too (load and load.*), and some steps overlap.
        const runSeconds = ((Date.now() - runStarted) / 1000).toFixed(1);
        if (run.model) for (const line of modelCardLines(run.model)) say(`  ${line}`);
        // A store that served a list before (an earlier demo, scores from an older acctnet) sees
        // every score change at once: the publish guard holds that version for an admin. The demo
        // is that admin.
        if (run.publication === 'held' && run.blacklistVersion !== null) {
          say(`  the publish guard held v${run.blacklistVersion} (${run.heldBecause}); the demo approves it`);
          await administer(rt.publishDeps(), { ...cliActor(), name: 'demo' }, 'blacklist.approve', run.blacklistVersion);
        }

        const runId = (await createRunRepository(driver, rt.config.neo4j).currentRunId())!;
        const top = await createAnalysisRepository(driver, rt.config.neo4j).topClusters(runId, 5);
        const migrations = await createAnalysisRepository(driver, rt.config.neo4j).migrations(runId, 0, 5);
        const blacklist = createBlacklistRepository(driver, rt.config.neo4j);
        const state = await blacklist.state();
        const served = state.servedVersion === null ? [] : await blacklist.entries(state.servedVersion);
        const truth = new Map(world.truth.map((a) => [a.id, a]));
        const listedFraud = served.filter((e) => truth.get(e.accountId)?.fraud).length;

        say('');
        say(
          `${run.runId}: ${run.counts.accounts} accounts, ${run.counts.relations} relations, ${run.counts.hubs} hubs, ${run.counts.clusters} clusters, ${run.counts.migrations} migrations in ${runSeconds} s`,
        );
        say('Riskiest clusters:');
        for (const c of top)
          say(
            `  ${c.clusterId}  risk ${c.score.toFixed(2)}  ${c.type.padEnd(15)} ${String(c.size).padStart(3)} members  ${c.reasons.join('; ')}`,
          );
        say('Strongest migrations:');
        for (const m of migrations)
          say(
            `  ${m.from} → ${m.to}  score ${m.score}  fell ${new Date(m.fallAt).toISOString().slice(0, 10)}, rose ${new Date(m.riseAt).toISOString().slice(0, 10)}`,
          );
        say(
          `Blacklist v${state.servedVersion}: ${served.length} accounts (${listedFraud} of them planted fraud; the sample has ${fraud.length} fraud accounts).`,
        );
        say(
          `Next: \`npx acctnet serve\` (and \`npx acctnet worker\` for ingest and runs) and open http://127.0.0.1:${rt.config.http.port}/ui/, or \`npx acctnet blacklist export --format csv\`.`,
        );
        return EXIT.ok;
      }),
    );
}
