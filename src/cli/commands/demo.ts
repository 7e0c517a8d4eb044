// `npm run demo` → `acctnet demo`: the main job on sample data, from nothing.
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { ensureLocalRedis } from '../../redis/local.js';
import { backgroundTransfers } from '../../synth/background.js';
import { writeTransfersCsv } from '../../synth/write-csv.js';
import { EXIT, runCommand, say } from '../context.js';
import { printImportSummary, runImportWithProgress } from './import.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Generate a seeded sample dataset, ingest it through the queue and workers, and summarise')
    .option('--accounts <n>', 'accounts in the sample', (v) => Number.parseInt(v, 10), 5000)
    .option('--transactions <n>', 'transactions in the sample', (v) => Number.parseInt(v, 10), 50000)
    .action((opts: { accounts: number; transactions: number }) =>
      runCommand(async (rt) => {
        await ensureLocalRedis(rt.config.redis.url, say);
        await rt.ensureNeo4j();
        const dir = path.join(rt.config.projectRoot, '.acctnet', 'demo');
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `sample-${opts.accounts}-${opts.transactions}.csv`);
        if (!fs.existsSync(file)) {
          say(`Generating ${opts.transactions} transactions over ${opts.accounts} accounts (seed 42) into ${file}`);
          const tmp = `${file}.partial`;
          await writeTransfersCsv(
            tmp,
            backgroundTransfers({ seed: 42, accounts: opts.accounts, transactions: opts.transactions, start: Date.UTC(2026, 0, 1), days: 180 }),
          );
          fs.renameSync(tmp, file);
        }
        say(`Importing ${path.relative(process.cwd(), file)} through the ingest queue`);
        const summary = await runImportWithProgress(rt, { file, map: {} });
        printImportSummary(summary);
        const counts = await rt
          .driver()
          .executeQuery('MATCH (a:Account) WITH count(a) AS accounts MATCH ()-[t:TRANSFER]->() RETURN accounts, count(t) AS transfers');
        const row = counts.records[0]!;
        say(`Neo4j now holds ${row.get('accounts')} accounts and ${row.get('transfers')} transfers (${rt.config.neo4j.uri}).`);
        say('Re-running the demo re-imports the same file and changes nothing (ingest is idempotent by tx_id).');
        return summary.failedChunks.length ? EXIT.failed : EXIT.ok;
      }),
    );
}
