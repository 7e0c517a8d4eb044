// Test configuration: the tests' own Neo4j (ACCTNET_TEST_NEO4J_URI, set by scripts/test.mjs) and a
// fresh BullMQ prefix per test, so tests never see each other's jobs or a user's data.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig, projectRoot, type Config } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/logger.js';

export const ROOT = projectRoot();

export function testNeo4jUri(): string {
  const uri = process.env.ACCTNET_TEST_NEO4J_URI;
  if (!uri) throw new Error('ACCTNET_TEST_NEO4J_URI is not set: run the suite with `npm test` (it starts the test Neo4j)');
  return uri;
}

/** Environment for a test: the test Neo4j, a unique queue prefix, short locks for fast recovery. */
export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.NEO4J_URI;
  return {
    ...base,
    NEO4J_URI: testNeo4jUri(),
    NEO4J_PASSWORD: process.env.NEO4J_PASSWORD ?? 'acctnet-test-pw',
    ACCTNET_QUEUE_PREFIX: `t${crypto.randomBytes(5).toString('hex')}`,
    ACCTNET_LOCK_DURATION_MS: '4000',
    ACCTNET_STALLED_INTERVAL_MS: '2000',
    ACCTNET_JOB_BACKOFF_MS: '200',
    // Tests publish through repositories and read through the app at once: no reuse of the served state.
    ACCTNET_API_STATE_TTL_MS: '0',
    // Tests send many requests without a key from one address on purpose; test/api/abuse.test.ts sets its own.
    ACCTNET_AUTH_FAILURES_PER_MINUTE: '1000000',
    // Webhook tests run their receivers on this machine.
    ACCTNET_WEBHOOK_ALLOW_TARGETS: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Each test's own snapshot directory: incremental runs never start from another test's snapshot.
    ACCTNET_SNAPSHOT_DIR: path.join(ROOT, '.acctnet', 'test-tmp', `snapshots-${crypto.randomBytes(5).toString('hex')}`),
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): { config: Config; env: NodeJS.ProcessEnv } {
  const env = testEnv(overrides);
  return { config: loadConfig(env), env };
}

export function testLogger(): Logger {
  return createLogger(process.env.LOG_LEVEL ?? 'silent', 'acctnet-test', 2);
}

export function tmpDir(name: string): string {
  const dir = path.join(ROOT, '.acctnet', 'test-tmp', `${name}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The shared AMLSim export, present in CI and on the developers' machines but not in a user's clone. */
export const AMLSIM_DIR = path.resolve(ROOT, '..', 'shared', 'data', 'amlsim-exports-v2');
export function amlsimAvailable(): boolean {
  return fs.existsSync(path.join(AMLSIM_DIR, 'transactions.csv'));
}
export const AMLSIM_SKIP_MESSAGE = `AMLSim export not found at ${AMLSIM_DIR} (a user's clone has no ../shared); this test steps aside. CI runs it.`;

/** A port nothing listens on (taken, then released): a service address that refuses connections. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Polls `check` every `pollMs` until it holds; past `timeoutMs` it fails naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
