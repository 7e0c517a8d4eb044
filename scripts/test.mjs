// npm test: install and build if needed, make sure Redis runs, start a dedicated Neo4j for the tests
// (instance "test" on port 7688, its own data folder) unless ACCTNET_TEST_NEO4J_URI names an empty
// database meant for tests, run the suite, and stop what it started.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

bootstrap();
// Files the previous run's tests generated.
fs.rmSync(path.join(root, '.acctnet', 'test-tmp'), { recursive: true, force: true });

const { loadConfig } = await import(path.join(root, 'dist/src/config/index.js'));
const { startLocalNeo4j, stopLocalNeo4j } = await import(path.join(root, 'dist/src/neo4j/local.js'));
const { ensureLocalRedis } = await import(path.join(root, 'dist/src/redis/local.js'));

const log = (line) => process.stderr.write(`[test] ${line}\n`);
const testEnv = {
  ACCTNET_NEO4J_INSTANCE: 'test',
  ACCTNET_NEO4J_BOLT_PORT: process.env.ACCTNET_TEST_NEO4J_PORT ?? '7688',
  ACCTNET_NEO4J_HEAP: process.env.ACCTNET_TEST_NEO4J_HEAP ?? '1g',
  ACCTNET_NEO4J_PAGECACHE: process.env.ACCTNET_TEST_NEO4J_PAGECACHE ?? '512m',
  NEO4J_PASSWORD: process.env.ACCTNET_TEST_NEO4J_PASSWORD ?? 'acctnet-test-pw',
};
// The tests never use NEO4J_URI (a user's data): only their own instance or ACCTNET_TEST_NEO4J_URI.
const base = { ...process.env };
delete base.NEO4J_URI;
delete base.NEO4J_DATABASE;
// The managed test Neo4j has only its built-in user (a server named by ACCTNET_TEST_NEO4J_URI may have others).
if (!process.env.ACCTNET_TEST_NEO4J_URI) delete base.NEO4J_USER;
const config = loadConfig({ ...base, ...testEnv });

await ensureLocalRedis(config.redis.url, log);
ensureChromium();

let started = false;
let uri = process.env.ACCTNET_TEST_NEO4J_URI;
if (!uri) {
  const r = await startLocalNeo4j(config, log);
  started = !r.alreadyRunning;
  uri = r.uri;
  log(`test Neo4j at ${uri}${r.alreadyRunning ? ' (already running)' : ` (started in ${(r.startedInMs / 1000).toFixed(1)} s)`}`);
}

/** The console's browser test needs Debian's chromium: install it when missing and allowed (root or sudo -n). */
function ensureChromium() {
  const browser = process.env.ACCTNET_CHROMIUM ?? '/usr/bin/chromium';
  if (fs.existsSync(browser) || process.env.ACCTNET_CHROMIUM) return;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!asRoot && !sudo) {
    log(`chromium is missing and this user cannot install it: the console's browser test will fail (apt-get install -y chromium)`);
    return;
  }
  log('installing chromium for the console browser test (apt-get, once)...');
  const apt = (args) =>
    spawnSync(sudo ? 'sudo' : 'apt-get', sudo ? ['-n', 'apt-get', ...args] : args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!(apt(['update', '-q']) && apt(['install', '-y', '-q', 'chromium'])))
    log('apt-get could not install chromium: the console browser test will fail');
}

const files = process.argv.slice(2);
// Asynchronous spawn: this process must keep reaping its children (the Neo4j it started).
const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-reporter=spec', ...(files.length ? files : [path.join('dist', 'test')])],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...base,
      ...testEnv,
      ACCTNET_TEST_NEO4J_URI: uri,
      ACCTNET_TEST_MANAGED_NEO4J: process.env.ACCTNET_TEST_NEO4J_URI ? '' : '1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    },
  },
);

const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

if (started && !process.env.ACCTNET_KEEP_TEST_NEO4J) {
  log('stopping the test Neo4j');
  await stopLocalNeo4j(config, log);
}
process.exit(status);
