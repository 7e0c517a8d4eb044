import type { Command } from 'commander';
import { localPaths, neo4jStatus, startLocalNeo4j, stopLocalNeo4j } from '../../neo4j/local.js';
import { CliError, EXIT, runCommand, say } from '../context.js';

export function registerNeo4j(program: Command): void {
  const neo4j = program.command('neo4j').description('Manage the local Neo4j 5.26 server (used when NEO4J_URI is unset)');

  neo4j
    .command('start')
    .description('Fetch Neo4j from Maven Central if needed, start it, and wait until Bolt answers')
    .action(() =>
      runCommand(async (rt) => {
        if (!rt.config.neo4j.managed) {
          throw new CliError(
            `NEO4J_URI is set (${rt.config.neo4j.uri}): acctnet does not manage that server. Unset NEO4J_URI to use the local one.`,
            EXIT.usage,
          );
        }
        const r = await startLocalNeo4j(rt.config, say);
        say(
          r.alreadyRunning
            ? `Neo4j already running at ${r.uri} (pid ${r.pid})`
            : `Neo4j answers at ${r.uri} (pid ${r.pid}, started in ${(r.startedInMs / 1000).toFixed(1)} s)`,
        );
      }),
    );

  neo4j
    .command('stop')
    .description('Stop the local Neo4j (clean shutdown; killed after 90 s)')
    .action(() =>
      runCommand(async (rt) => {
        const stopped = await stopLocalNeo4j(rt.config, say);
        say(stopped ? 'Neo4j stopped' : 'Neo4j was not running');
      }),
    );

  neo4j
    .command('status')
    .description('Tell whether a Neo4j answers at NEO4J_URI (or the local one)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      runCommand(async (rt) => {
        const s = await neo4jStatus(rt.config);
        if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
        else {
          const where = s.managed ? `local Neo4j (${localPaths(rt.config.localNeo4j).instanceDir})` : 'NEO4J_URI';
          say(`${where} at ${s.uri}: ${s.answering ? 'answering' : `not answering (${s.error})`}`);
          if (s.managed)
            say(`process: ${s.pid ? `pid ${s.pid} ${s.processRunning ? 'running' : 'not running'}` : 'not started by acctnet'}`);
        }
        return s.answering ? EXIT.ok : EXIT.failed;
      }),
    );
}
