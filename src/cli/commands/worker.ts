import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { runWorkerProcess } from '../../../workers/index.js';
import { runCommand } from '../context.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run the queue workers (ingest, recompute, webhooks) until SIGTERM')
    .action(() =>
      runCommand((rt) => runWorkerProcess(rt), { logger: (c) => createLogger(c.log.level, 'acctnet-worker'), progress: false }),
    );
}
