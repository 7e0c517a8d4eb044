#!/usr/bin/env node
import { Command } from 'commander';
import { EXIT } from './context.js';
import { registerBatches } from './commands/batches.js';
import { registerBlacklist } from './commands/blacklist.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerImport } from './commands/import.js';
import { registerKeys } from './commands/keys.js';
import { registerLabels } from './commands/labels.js';
import { registerNeo4j } from './commands/neo4j.js';
import { registerPrune } from './commands/prune.js';
import { registerRecompute } from './commands/recompute.js';
import { registerResults } from './commands/results.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';

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

registerServe(program);
registerWorker(program);
registerImport(program);
registerBatches(program);
registerLabels(program);
registerRecompute(program);
registerResults(program);
registerBlacklist(program);
registerWebhooks(program);
registerKeys(program);
registerPrune(program);
registerNeo4j(program);
registerDemo(program);
registerConfig(program);

await program.parseAsync(process.argv);
