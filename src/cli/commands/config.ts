import type { Command } from 'commander';
import { configReference } from '../../config/index.js';
import { redactUrl } from '../../redis/connection.js';
import { loadConfigOrExit } from '../context.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Validate the environment and print the effective configuration (secrets hidden)')
    .option('--reference', 'print the table of every variable instead')
    .action((opts: { reference?: boolean }) => {
      if (opts.reference) {
        process.stdout.write(`${configReference()}\n`);
        return;
      }
      const config = loadConfigOrExit();
      const shown = {
        ...config,
        neo4j: { ...config.neo4j, password: '<hidden>' },
        redis: { ...config.redis, url: redactUrl(config.redis.url) },
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    });
}
