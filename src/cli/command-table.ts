// Which module registers which top-level command. main.ts loads only the module of the command on
// the command line (an ordinary command then starts without loading the server, the console's and
// the ingest's dependencies: ~0.7 s of the CLI's start), and every module for the top-level help or
// an unknown command. test/cli.test.ts checks this table against the modules.
import type { Command } from 'commander';

type Register = (program: Command) => void;

/** Modules in the order of the top-level help; each with the command names it registers. */
export const COMMAND_MODULES: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['serve'], load: async () => (await import('./commands/serve.js')).registerServe },
  { names: ['worker'], load: async () => (await import('./commands/worker.js')).registerWorker },
  { names: ['import'], load: async () => (await import('./commands/import.js')).registerImport },
  { names: ['batches'], load: async () => (await import('./commands/batches.js')).registerBatches },
  { names: ['labels'], load: async () => (await import('./commands/labels.js')).registerLabels },
  { names: ['recompute'], load: async () => (await import('./commands/recompute.js')).registerRecompute },
  { names: ['clusters', 'migrations', 'runs'], load: async () => (await import('./commands/results.js')).registerResults },
  { names: ['blacklist'], load: async () => (await import('./commands/blacklist.js')).registerBlacklist },
  { names: ['webhooks'], load: async () => (await import('./commands/webhooks.js')).registerWebhooks },
  { names: ['keys'], load: async () => (await import('./commands/keys.js')).registerKeys },
  { names: ['prune'], load: async () => (await import('./commands/prune.js')).registerPrune },
  { names: ['neo4j'], load: async () => (await import('./commands/neo4j.js')).registerNeo4j },
  { names: ['demo'], load: async () => (await import('./commands/demo.js')).registerDemo },
  { names: ['config'], load: async () => (await import('./commands/config.js')).registerConfig },
];

/**
 * Registers the command named first on the command line, or every command when the command line
 * starts with an option (`--help recompute` is the top-level help), names no command, or names an
 * unknown one.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv[0];
  const one = COMMAND_MODULES.find((m) => name !== undefined && m.names.includes(name));
  for (const m of one ? [one] : COMMAND_MODULES) (await m.load())(program);
}
