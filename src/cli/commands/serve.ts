import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { buildServer, listen } from '../../server.js';
import { loadConfigOrExit } from '../context.js';
import { Runtime } from '../../runtime.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API (HOST, PORT); starts the local Neo4j when NEO4J_URI is unset')
    .action(async () => {
      const config = loadConfigOrExit();
      const logger = createLogger(config.log.level, 'acctnet-api');
      const runtime = new Runtime(config, logger);
      try {
        await runtime.ensureRedis();
        await runtime.ensureNeo4j();
        const server = await buildServer({ config, runtime, logger });
        server.addHook('onClose', () => runtime.close());
        const address = await listen(server, config.http.host, config.http.port);
        logger.info({ address }, 'acctnet API listening');
      } catch (err) {
        logger.fatal({ err: (err as Error).message }, 'start-up failed');
        process.stderr.write(`error: ${(err as Error).message}\n`);
        await runtime.close();
        process.exit(1);
      }
    });
}
