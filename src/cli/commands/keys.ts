import type { Command } from 'commander';
import { createAuditRepository } from '../../neo4j/repositories/audit.js';
import { createKeyRepository, parseExpiresIn, ROLES, type Role } from '../../neo4j/repositories/keys.js';
import { CliError, EXIT, runCommand, say } from '../context.js';
import { cliActor } from './blacklist.js';

function expiry(at: number | null): string {
  if (at === null) return '';
  return at <= Date.now() ? `  EXPIRED ${new Date(at).toISOString()}` : `  expires ${new Date(at).toISOString()}`;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys: create (shown once), list, revoke');
  keys
    .command('create')
    .description('Create an API key and print it once (the first admin key is bootstrapped this way)')
    .requiredOption('--role <role>', ROLES.join('|'))
    .requiredOption('--name <name>', 'who or what uses it (e.g. "gateway-eu-1", "alice")')
    .option('--expires-in <duration>', 'lifetime, e.g. 90d, 12h or 2w (1h..3650d); without it the key does not expire')
    .action((opts: { role: string; name: string; expiresIn?: string }) =>
      runCommand(async (rt) => {
        if (!(ROLES as readonly string[]).includes(opts.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, EXIT.usage);
        if (!opts.name.trim() || opts.name.length > 100) throw new CliError('--name must be 1..100 characters', EXIT.usage);
        let expiresAt: number | null = null;
        if (opts.expiresIn !== undefined) {
          try {
            expiresAt = Date.now() + parseExpiresIn(opts.expiresIn);
          } catch (err) {
            throw new CliError(`--${(err as Error).message}`, EXIT.usage);
          }
        }
        const driver = await rt.ensureNeo4j();
        const created = await createKeyRepository(driver, rt.config.neo4j).create(opts.role as Role, opts.name, cliActor().name, expiresAt);
        await createAuditRepository(driver, rt.config.neo4j).append(cliActor(), 'key.create', `key:${created.record.id}`, {
          role: opts.role,
          name: opts.name,
          expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
        });
        process.stdout.write(`${created.key}\n`);
        say(
          `${created.record.id} (${opts.role}, "${opts.name}") created${expiresAt === null ? '' : `, expires ${new Date(expiresAt).toISOString()}`}. The key above is shown only now; store it in your secret manager.`,
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
            `${k.id}  ${k.role.padEnd(12)} ${k.prefix}…  ${k.name}  created ${new Date(k.createdAt).toISOString()} by ${k.createdBy}${expiry(k.expiresAt)}${k.revokedAt ? `  REVOKED ${new Date(k.revokedAt).toISOString()}` : ''}\n`,
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
