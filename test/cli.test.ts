// The CLI's answers to bad input that need no service: exit 64 with the option named for a usage
// error, a clear message and nothing started for a file that is not there (the services' addresses
// below point nowhere: a command that reached for them would fail differently, or hang).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/env.js';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...args], {
    env: { ...process.env, NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'nowhere-at-all', REDIS_URL: 'redis://127.0.0.1:1' },
    encoding: 'utf8',
    timeout: 30_000,
  });

test('usage errors exit 64 and name the option; help and --version exit 0', () => {
  for (const [args, message] of [
    [['clusters', '--top', '0'], /option '--top <n>' argument '0' is invalid\. expected a positive integer/],
    [['blacklist', 'versions', '--limit', 'abc'], /option '--limit <n>' argument 'abc' is invalid/],
    [
      ['blacklist', 'export', '--format', 'csv', '--version', 'x'],
      /option '--version <n>' argument 'x' is invalid\. expected a version number/,
    ],
    [
      ['import', 'f.csv', '--batch-size', '10abc'],
      /option '--batch-size <n>' argument '10abc' is invalid\. expected an integer 1\.\.50000/,
    ],
    [['import', 'f.csv', '--map', 'amount'], /--map "amount": expected canonical=source_column/],
    [['webhooks', 'list', '--format', 'xml'], /--format must be text or json/],
    // Numbers are read strictly: an empty value (an unset shell variable) is not 0, nor 0x10 sixteen.
    [['webhooks', 'redeliver', 'wh-1', '--from', ''], /option '--from <version>' argument '' is invalid\. expected a version number or 0/],
    [['prune', '--keep-versions', '0x10'], /option '--keep-versions <n>' argument '0x10' is invalid\. expected a positive integer/],
    [
      ['migrations', '--format', 'json', '--min-score', ''],
      /option '--min-score <score>' argument '' is invalid\. expected a number 0\.\.1/,
    ],
    [['migrations', '--format', 'json', '--min-score', '1e-1'], /option '--min-score <score>' argument '1e-1' is invalid/],
    [['no-such-command'], /unknown command 'no-such-command'/],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /node_modules|    at /, 'no stack trace');
  }
  const version = cli('--version');
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  // A command's own --version is the command's: here the export's help, not the program's version.
  const help = cli('blacklist', 'export', '--format', 'csv', '--version', '3', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: acctnet blacklist export/);
});

test('a file that is not there, a folder, an unknown format, an unwritable rejects folder: a clear error before any service is reached', () => {
  for (const [args, message] of [
    [['import', '/no/such/file.csv'], /cannot read \/no\/such\/file\.csv: no such file/],
    [['import', '/no/such/file.csv', '--bulk'], /cannot read \/no\/such\/file\.csv: no such file/],
    [['import', ROOT], /is not a file/],
    [
      ['import', path.join(ROOT, 'README.md'), '--format', 'csv', '--rejects', '/no/such/dir/r.csv'],
      /--rejects \/no\/such\/dir\/r\.csv: cannot write in \/no\/such\/dir/,
    ],
    [['labels', 'import', '/no/such/labels.csv'], /cannot read \/no\/such\/labels\.csv: no such file/],
    [
      ['blacklist', 'export', '--format', 'csv', '--out', '/no/such/dir/list.csv'],
      /--out \/no\/such\/dir\/list\.csv: cannot write in \/no\/such\/dir/,
    ],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /Neo4j|Redis|ECONNREFUSED/, `${args.join(' ')} reached for a service: ${r.stderr}`);
  }
  // A format refused or not told by the name: a usage error (64), streaming or bulk, before any service.
  for (const [args, message] of [
    [['import', path.join(ROOT, 'README.md')], /cannot tell the format .* pass --format csv or --format ndjson/],
    [['import', path.join(ROOT, 'README.md'), '--bulk'], /cannot tell the format .* pass --format csv or --format ndjson/],
    [['import', path.join(ROOT, 'README.md'), '--format', 'xml'], /--format xml: expected csv or ndjson/],
  ] as const) {
    const r = cli(...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /Neo4j|Redis|ECONNREFUSED/, `${args.join(' ')} reached for a service: ${r.stderr}`);
  }
});

test('each command module registers exactly the commands the table names; the top-level help lists them all', async () => {
  const { Command } = await import('commander');
  const { COMMAND_MODULES } = await import('../src/cli/command-table.js');
  const all: string[] = [];
  for (const m of COMMAND_MODULES) {
    const program = new Command();
    (await m.load())(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [...m.names],
    );
    all.push(...m.names);
  }
  for (const args of [['--help'], ['--help', 'recompute']]) {
    const help = cli(...args);
    assert.equal(help.status, 0);
    for (const name of all) assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'), `${name} in the help of ${args.join(' ')}`);
  }
  // One command's module alone: its help, as before.
  const one = cli('migrations', '--help');
  assert.equal(one.status, 0);
  assert.match(one.stdout, /Usage: acctnet migrations/);
});
