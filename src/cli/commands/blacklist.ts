import type { Command } from 'commander';
import fs from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../errors.js';
import os from 'node:os';
import { administer } from '../../blacklist/admin.js';
import { confirmPending, pendingView, rejectPending } from '../../blacklist/overrides.js';
import { createBlacklistRepository, type BlacklistRepository } from '../../neo4j/repositories/blacklist.js';
import type { Runtime } from '../../runtime.js';
import { positiveInt, versionArg } from '../args.js';
import { checkWritableFolder, CliError, EXIT, runCommand, say } from '../context.js';

async function repo(rt: Runtime): Promise<BlacklistRepository> {
  return createBlacklistRepository(await rt.ensureNeo4j(), rt.config.neo4j);
}

/** CLI users act as admins (they hold the database credentials); the audit log names them. */
export function cliActor() {
  const user = os.userInfo().username;
  return { keyId: `cli:${user}`, name: `cli:${user}`, role: 'admin' };
}

export function registerBlacklist(program: Command): void {
  const bl = program
    .command('blacklist')
    .description('Versioned blacklist: export, versions, diff, and the publish guard (approve, pin, unpin, rollback)');

  bl.command('export')
    .description('Write the served version (or --version N) as JSON or CSV')
    .requiredOption('--format <format>', 'json or csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--version <n>', 'a specific version instead of the served one', versionArg)
    .action((opts: { format: string; out?: string; version?: number }) =>
      runCommand(async (rt) => {
        if (opts.format !== 'json' && opts.format !== 'csv') throw new CliError('--format must be json or csv', EXIT.usage);
        // Not a regular file (/dev/stdout, a pipe): written as it is, there is nothing to keep whole.
        const special = opts.out !== undefined && fs.existsSync(opts.out) && !fs.statSync(opts.out).isFile();
        if (opts.out && !special) checkWritableFolder('--out', opts.out);
        const r = await repo(rt);
        const version = opts.version ?? (await r.state()).servedVersion;
        if (version === null) throw new CliError('no blacklist version is served yet: run `npx acctnet recompute --wait` first');
        const v = await r.get(version);
        if (!v || v.status === 'writing') throw new CliError(`no complete blacklist version ${version}`);
        if (!opts.out) {
          for await (const chunk of r.body(version, opts.format)) {
            if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
          }
          if (opts.format === 'json') process.stdout.write('\n');
        } else if (special) {
          await pipeline(r.body(version, opts.format), fs.createWriteStream(opts.out));
        } else {
          // A regular file is written beside the target and renamed when complete: a failure half-way
          // (the database, the disk) leaves the previous export in place, never a truncated copy.
          // (Renaming replaces a symlink at the target rather than writing through it.)
          const partial = `${opts.out}.${process.pid}.partial`;
          try {
            // Exactly the stored body (no final line break, unlike stdout): the file hashes to the
            // version's SHA-256, as gateways received it.
            await pipeline(r.body(version, opts.format), fs.createWriteStream(partial));
            fs.renameSync(partial, opts.out);
          } catch (err) {
            fs.rmSync(partial, { force: true });
            if (err instanceof DomainError) throw err;
            throw new CliError(`--out ${opts.out}: ${(err as Error).message}; nothing was written there`);
          }
        }
        if (opts.out) {
          say(
            `version ${version} (${v.count} entries, ${v.status}) written to ${opts.out}; sha256 of the body: ${opts.format === 'json' ? v.sha256Json : v.sha256Csv}`,
          );
        }
      }),
    );

  bl.command('versions')
    .description('Versions, newest first, with status (served, held, superseded, ...)')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action((opts: { limit: number }) =>
      runCommand(async (rt) => {
        const r = await repo(rt);
        const state = await r.state();
        for (const v of await r.list(Number.MAX_SAFE_INTEGER, opts.limit)) {
          const pinned = state.pinnedVersion === v.version ? ' (pinned)' : '';
          const held = v.status === 'held' && v.guard ? ` — ${(v.guard as { reason?: string }).reason ?? ''}` : '';
          // The rendered files' SHA-256, to check an exported or received file against (docs/outputs.md).
          const sha = v.sha256Json || v.sha256Csv ? `  sha256 json=${v.sha256Json ?? '-'} csv=${v.sha256Csv ?? '-'}` : '';
          process.stdout.write(
            `v${v.version}  ${v.status}${pinned}  ${v.count} entries  +${v.added ?? 0} new or changed, -${v.removed ?? 0} removed  ${v.source}${v.restores !== null ? ` (restores v${v.restores})` : ''}${v.runId ? ` ${v.runId}` : ''}  ${new Date(v.createdAt).toISOString()}${sha}${held}\n`,
          );
        }
      }),
    );

  bl.command('diff')
    .description('What changed between two versions (JSON: {fromVersion, toVersion, added, removed})')
    .requiredOption('--from <n>', 'older version', versionArg)
    .option('--to <n>', 'newer version (default: the served one)', versionArg)
    .action((opts: { from: number; to?: number }) =>
      runCommand(async (rt) => {
        const r = await repo(rt);
        const to = opts.to ?? (await r.state()).servedVersion;
        if (to === null) throw new CliError('no served version; pass --to');
        for (const v of [opts.from, to]) if (!(await r.get(v))) throw new CliError(`no blacklist version ${v}`);
        const diff = (await r.diff(opts.from, to, { full: true }))!;
        process.stdout.write(
          `${JSON.stringify({ fromVersion: opts.from, toVersion: to, added: diff.added ?? [], removed: diff.removed ?? [] }, null, 2)}\n`,
        );
      }),
    );

  const adminCommand = (name: 'approve' | 'pin' | 'rollback', description: string, argument: string) =>
    bl
      .command(name)
      .argument('<version>', argument, versionArg)
      .description(description)
      .action((version: number) =>
        runCommand(async (rt) => {
          await rt.ensureNeo4j();
          await rt.ensureRedis();
          const r = await administer(rt.publishDeps(), cliActor(), `blacklist.${name}`, version);
          const restored = r.published !== null && r.published !== version ? ` (a new version with v${version}'s list)` : '';
          say(`version ${r.served} is served${restored}${r.pinned !== null ? ` (pinned: v${r.pinned})` : ''}; was ${r.previous ?? 'none'}`);
          if (name === 'rollback') say('it is pinned: `npx acctnet blacklist unpin` when the next run may publish');
        }),
      );
  adminCommand('approve', 'Serve a version the publish guard held', 'a held version');
  adminCommand('pin', 'Serve a version and keep it: later runs produce held versions until unpin', 'version to serve and keep');
  adminCommand('rollback', 'Serve an earlier version again and pin it', 'an earlier version');

  // Dual control (ACCTNET_OVERRIDE_DUAL_CONTROL=exclude): requests to take accounts off the list.
  bl.command('pending')
    .description('Override requests waiting for a second person (dual control); --all: every request with its outcome')
    .option('--all', 'also confirmed, rejected and withdrawn requests')
    .option('--limit <n>', 'how many', positiveInt, 100)
    .option('--json', 'print the requests as JSON (as GET /v1/blacklist/overrides/pending)')
    .action((opts: { all?: boolean; limit: number; json?: boolean }) =>
      runCommand(async (rt) => {
        const items = (await (await repo(rt)).pendingOverrides(opts.all ? null : 'pending', opts.limit)).map(pendingView);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ dualControl: rt.config.overrides.dualControl, items }, null, 2)}\n`);
          return;
        }
        if (items.length === 0) say(`no ${opts.all ? '' : 'open '}override requests (dual control: ${rt.config.overrides.dualControl})`);
        for (const p of items) {
          const decided = p.decidedBy
            ? `  ${p.status} by ${p.decidedBy} at ${p.decidedAt}${p.note ? ` (${p.note})` : ''}`
            : `  ${p.status}`;
          process.stdout.write(`${p.id}  ${p.action} ${p.accountId}  by ${p.requestedBy} at ${p.requestedAt}  "${p.reason}"${decided}\n`);
        }
      }),
    );

  bl.command('confirm')
    .argument('<id>', 'an open override request (see `acctnet blacklist pending`)')
    .option('--note <text>', 'why you confirm it (kept in the audit log)')
    .description(
      'Confirm an override request: it takes effect and is published (the CLI acts as an admin, a second person to any request made through the API)',
    )
    .action((id: string, opts: { note?: string }) =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        await rt.ensureRedis();
        const r = await confirmPending(rt.publishDeps(), cliActor(), id, opts.note ?? null, null);
        const what =
          r.pending.action === 'exclude'
            ? `${r.pending.accountId} is kept off the list`
            : `the include override of ${r.pending.accountId} is removed`;
        say(
          `${id} confirmed: ${what}; ${r.published.status === 'published' ? `version ${r.published.version} is served` : `publication pending (${r.published.reason})`}`,
        );
      }),
    );

  bl.command('reject')
    .argument('<id>', 'an open override request')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .description('Reject an override request (your own: withdraw it); the list does not change')
    .action((id: string, opts: { reason: string }) =>
      runCommand(async (rt) => {
        const r = await rejectPending({ config: rt.config, driver: await rt.ensureNeo4j() }, cliActor(), id, opts.reason, null);
        say(`${id} ${r.pending.status}: ${r.pending.accountId} stays as it is on the list`);
      }),
    );

  bl.command('unpin')
    .description('Let the next run publish again (subject to the guard)')
    .action(() =>
      runCommand(async (rt) => {
        await rt.ensureNeo4j();
        await rt.ensureRedis();
        const r = await administer(rt.publishDeps(), cliActor(), 'blacklist.unpin', null);
        say(`unpinned; version ${r.served ?? 'none'} stays served until the next run`);
      }),
    );
}
