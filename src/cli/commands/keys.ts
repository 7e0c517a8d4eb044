import type { Command } from 'commander';
import { createAuditRepository } from '../../neo4j/repositories/audit.js';
import { createKeyRepository, ROLES, type Role } from '../../neo4j/repositories/keys.js';
import { CliError, EXIT, runCommand, say } from '../context.js';
import { cliActor } from './blacklist.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys: create (shown once), list, revoke');
  keys
    .command('create')
    .description('Create an API key and print it once (the first admin key is bootstrapped this way)')
    .requiredOption('--role <role>', ROLES.join('|'))
    .requiredOption('--name <name>', 'who or what uses it (e.g. "gateway-eu-1", "alice")')
    .action((opts: { role: string; name: string }) =>
      runCommand(async (rt) => {
        if (!(ROLES as readonly string[]).includes(opts.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, EXIT.usage);
        if (!opts.name.trim() || opts.name.length > 100) throw new CliError('--name must be 1..100 characters', EXIT.usage);
        const driver = await rt.ensureNeo4j();
        const created = await createKeyRepository(driver, rt.config.neo4j).create(opts.role as Role, opts.name, cliActor().name);
        await createAuditRepository(driver, rt.config.neo4j).append(cliActor(), 'key.create', `key:${created.record.id}`, {
          role: opts.role,
          name: opts.name,
        });
        process.stdout.write(`${created.key}\n`);
        say(
          `${created.record.id} (${opts.role}, "${opts.name}") created. The key above is shown only now; store it in your secret manager.`,
        );
      }),
    );
  keys
    .command('list')
    .description('Keys (never the keys themselves)')
    .action(() =>
      runCommand(async (rt) => {
        const driver = await rt.ensureNeo4j();
        for (const k of await createKeyRepository(driver, rt.config.neo4j).list()) {
          process.stdout.write(
            `${k.id}  ${k.role.padEnd(12)} ${k.prefix}…  ${k.name}  created ${new Date(k.createdAt).toISOString()} by ${k.createdBy}${k.revokedAt ? `  REVOKED ${new Date(k.revokedAt).toISOString()}` : ''}\n`,
          );
        }
      }),
    );
  keys
    .command('revoke')
    .argument('<keyId>')
    .description('Revoke a key (API processes stop accepting it within 30 s)')
    .action((keyId: string) =>
      runCommand(async (rt) => {
        const driver = await rt.ensureNeo4j();
        const revoked = await createKeyRepository(driver, rt.config.neo4j).revoke(keyId, cliActor().name);
        if (!revoked) throw new CliError(`no key ${keyId}`);
        await createAuditRepository(driver, rt.config.neo4j).append(cliActor(), 'key.revoke', `key:${keyId}`, {
          role: revoked.role,
          name: revoked.name,
        });
        say(`${keyId} revoked`);
      }),
    );
}
