#!/usr/bin/env node
import { Command } from 'commander';
import { EXIT } from './context.js';
import { registerCommands } from './command-table.js';

// A reader that stops early (`acctnet batches rejects B | head -1`) closes the pipe: stop quietly,
// as a Unix tool ended by SIGPIPE does (exit 141), instead of printing "error: write EPIPE" — never
// with 0, which would tell a script under pipefail that output it never read was delivered.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(128 + 13);
  throw err;
});

const program = new Command();
program
  .name('acctnet')
  .description('Account network analyzer for payment fraud teams. Configuration: environment variables (see `acctnet config --reference`).')
  .version('0.1.0')
  // The program's own options (--version, --help) only before a command: `blacklist export --version
  // 3` is the command's --version, not the program's.
  .enablePositionalOptions()
  .showHelpAfterError('(run with --help for usage)')
  // Help and --version exit 0; every usage error (an unknown option, a missing argument, a value an
  // option's parser refused) exits 64, as the commands' own usage errors do. Inherited by every command.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage));

await registerCommands(program, process.argv.slice(2));

await program.parseAsync(process.argv);
