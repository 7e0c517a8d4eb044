// Runs a CLI command with config, logger and connections, and maps failures to exit codes.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, unknownSettings, type Config } from '../config/index.js';
import { DomainError, EXIT_CODE } from '../errors.js';
import { parseIsoTime } from '../ingest/record.js';
import { createLogger, type Logger } from '../logger.js';
import { Runtime } from '../runtime.js';

export const EXIT = { ok: 0, failed: 1, rejectedRows: 2, usage: 64, config: 78 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    const config = loadConfig(env);
    for (const u of unknownSettings(env))
      process.stderr.write(
        `acctnet/config: ${u.name} is not a setting acctnet reads${u.nearest ? ` (did you mean ${u.nearest}?)` : ''}: it is ignored (docs/configuration.md)\n`,
      );
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT.config);
    }
    throw err;
  }
}

/** CLI logs go to stderr, quieter than a server's, so stdout stays for results. */
export function cliLogger(config: Config): Logger {
  const level = process.env.LOG_LEVEL ? config.log.level : 'warn';
  return createLogger(level, 'acctnet-cli', 2);
}

/** How long a command waits for its connections to close before it exits anyway. */
const CLOSE_TIMEOUT_MS = 10_000;
/** ... and after a storage outage, when closing the connections to it cannot succeed. */
const CLOSE_AFTER_OUTAGE_MS = 2_000;

export async function runCommand(
  fn: (rt: Runtime) => Promise<number | void>,
  opts: { logger?: (c: Config) => Logger; progress?: boolean } = {},
): Promise<never> {
  const config = loadConfigOrExit();
  // Fetching and starting the managed Neo4j (minutes on a first run) is shown, whatever LOG_LEVEL says.
  // (A server process, `worker`, keeps them as structured log lines: progress: false.)
  const rt = new Runtime(
    config,
    (opts.logger ?? cliLogger)(config),
    opts.progress === false ? undefined : (line) => process.stderr.write(`${line}\n`),
  );
  let code: number = EXIT.ok;
  let outage = false;
  try {
    code = (await fn(rt)) ?? EXIT.ok;
  } catch (err) {
    const e = err as Error & { exitCode?: number };
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.ACCTNET_DEBUG) process.stderr.write(`${e.stack}\n`);
    code = err instanceof DomainError ? EXIT_CODE[err.kind] : (e.exitCode ?? EXIT.failed);
    outage = err instanceof DomainError && err.kind === 'storage-unavailable';
  } finally {
    // Bounded: with Redis or Neo4j gone a graceful close can wait for ever, and the outcome is known.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      rt.close(),
      new Promise((r) => (timer = setTimeout(r, outage ? CLOSE_AFTER_OUTAGE_MS : CLOSE_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
  }
  process.exit(code);
}

/**
 * The folder an output file (`--rejects`, `--out`) will be written in exists and is writable —
 * checked before any service is reached, so a bad path costs nothing. `after` ends the message.
 */
export function checkWritableFolder(flag: string, file: string, after = ''): void {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a folder');
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new CliError(`${flag} ${file}: cannot write in ${dir} (${(err as Error).message})${after}`);
  }
}

/** Human status lines on stderr; results (JSON, CSV, tables) go to stdout. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A time option (`--as-of`, `--before`) read as ingest reads times: without a zone it is UTC. */
export function isoTimeOption(flag: string, raw: string, example: string): number {
  const at = parseIsoTime(raw);
  if (at === undefined)
    throw new CliError(`${flag} ${JSON.stringify(raw)}: expected an ISO 8601 time, e.g. ${example} (without a zone it is UTC)`, EXIT.usage);
  return at;
}
