import type { Command } from 'commander';
import { createBlacklistRepository } from '../../neo4j/repositories/blacklist.js';
import { createWebhookRepository } from '../../neo4j/repositories/webhooks.js';
import { controlWebhook } from '../../webhooks/control.js';
import { intArg } from '../args.js';
import { CliError, EXIT, runCommand, say } from '../context.js';
import { cliActor } from './blacklist.js';

export function registerWebhooks(program: Command): void {
  const wh = program
    .command('webhooks')
    .description('Gateway webhooks: list with their lag, pause, resume, redeliver from a version (create them with the API)');

  wh.command('list')
    .description('Webhooks with the version each receiver acknowledged and its lag behind the served version')
    .option('--format <format>', 'text or json', 'text')
    .action((opts: { format: string }) =>
      runCommand(async (rt) => {
        if (opts.format !== 'text' && opts.format !== 'json') throw new CliError('--format must be text or json', EXIT.usage);
        const driver = await rt.ensureNeo4j();
        const served = (await createBlacklistRepository(driver, rt.config.neo4j).state()).servedVersion;
        const hooks = await createWebhookRepository(driver, rt.config.neo4j).list();
        const rows = hooks.map((w) => ({
          id: w.id,
          url: w.url,
          ackedVersion: w.ackedVersion,
          lag: served === null ? 0 : served - (w.ackedVersion ?? 0),
          paused: w.paused,
        }));
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ servedVersion: served, items: rows }, null, 2)}\n`);
        else
          for (const r of rows)
            process.stdout.write(`${r.id}  acked v${r.ackedVersion ?? 0}  lag ${r.lag}${r.paused ? '  PAUSED' : ''}  ${r.url}\n`);
      }),
    );

  const control = (name: 'pause' | 'resume', description: string) =>
    wh
      .command(name)
      .argument('<webhookId>')
      .description(description)
      .action((id: string) =>
        runCommand(async (rt) => {
          await rt.ensureNeo4j();
          await rt.ensureRedis();
          const r = await controlWebhook(rt.publishDeps(), cliActor(), id, { action: name });
          say(`${id} ${r.webhook.paused ? 'paused' : 'resumed'}; acknowledged version ${r.webhook.ackedVersion ?? 'none'}`);
        }),
      );
  control('pause', 'Hold deliveries back (the lag grows; resume sends one diff)');
  control('resume', 'Resume deliveries: one diff from the acknowledged version to the served one');

  wh.command('redeliver')
    .argument('<webhookId>')
    .requiredOption(
      '--from <version>',
      'the version the receiver holds (0: none, send every entry)',
      intArg(0, Number.MAX_SAFE_INTEGER, 'a version number or 0'),
    )
    .description('Send the diff from version N to the served one on the next delivery')
    .action((id: string, opts: { from: number }) =>
      runCommand(async (rt) => {
        const from = opts.from;
        await rt.ensureNeo4j();
        await rt.ensureRedis();
        await controlWebhook(rt.publishDeps(), cliActor(), id, { action: 'redeliver', fromVersion: from });
        say(`${id} will receive the diff from version ${from} to the served one`);
      }),
    );
}
