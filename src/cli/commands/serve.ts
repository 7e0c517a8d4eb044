import type { Command } from 'commander';
import { createLogger } from '../../logger.js';
import { buildServer, listen } from '../../server.js';
import { CliError, EXIT, loadConfigOrExit } from '../context.js';
import { DomainError, EXIT_CODE } from '../../errors.js';
import { Runtime } from '../../runtime.js';

export interface ServeFlags {
  port?: string;
  host?: string;
}

/** The environment `serve` loads its config from: `--port` / `--host` win over PORT / HOST. */
export function serveEnv(env: NodeJS.ProcessEnv, flags: ServeFlags): NodeJS.ProcessEnv {
  const out = { ...env };
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!/^\d+$/.test(flags.port.trim()) || !Number.isInteger(port) || port > 65535)
      throw new CliError(`--port ${JSON.stringify(flags.port)}: expected a TCP port 0..65535 (0: any free port)`, EXIT.usage);
    out.PORT = String(port);
  }
  if (flags.host !== undefined) {
    if (flags.host.trim() === '') throw new CliError('--host: expected an interface address, e.g. 127.0.0.1 or 0.0.0.0', EXIT.usage);
    out.HOST = flags.host.trim();
  }
  return out;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API (--host/--port, else HOST, PORT); starts the local Neo4j when NEO4J_URI is unset')
    .option('--port <n>', 'TCP port to listen on, 0 for any free one (default: PORT, else 3000)')
    .option('--host <address>', 'interface address to listen on (default: HOST, else 127.0.0.1)')
    .action(async (flags: ServeFlags) => {
      let env: NodeJS.ProcessEnv;
      try {
        env = serveEnv(process.env, flags);
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit((err as CliError).exitCode ?? EXIT.usage);
      }
      const config = loadConfigOrExit(env);
      const logger = createLogger(config.log.level, 'acctnet-api');
      // Fail fast: a request answers 503 while Redis or Neo4j is down (docs/operations.md, Outages).
      const runtime = new Runtime(config, logger, undefined, { failFast: true });
      try {
        // Redis is not required to start: the API serves reads and answers 503 to what needs Redis
        // until it answers (Runtime.startRedisForApi, docs/operations.md, Outages).
        await runtime.ensureNeo4j();
        const server = await buildServer({ config, runtime, logger });
        server.addHook('onClose', () => runtime.close());
        const address = await listen(server, config.http.host, config.http.port);
        logger.info({ address }, 'acctnet API listening');
      } catch (err) {
        logger.fatal({ err: (err as Error).message }, 'start-up failed');
        process.stderr.write(`error: ${(err as Error).message}\n`);
        await runtime.close();
        // The same codes as every command: 78 settings to fix (refused credentials), 69 a store that
        // does not answer, else 1.
        process.exit(err instanceof DomainError ? EXIT_CODE[err.kind] : 1);
      }
    });
}
