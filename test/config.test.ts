import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, unknownSettings } from '../src/config/index.js';
import { ROOT } from './helpers/env.js';

test('defaults give a managed local Neo4j and the local Redis', () => {
  const c = loadConfig({});
  assert.equal(c.neo4j.managed, true);
  assert.equal(c.neo4j.uri, 'bolt://127.0.0.1:7687');
  assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
  assert.equal(c.ingest.defaultCurrency, 'USD');
  assert.equal(c.localNeo4j.home, path.join(ROOT, '.neo4j'));
});

test('every invalid variable is named with what is expected, all at once', () => {
  assert.throws(
    () => loadConfig({ ACCTNET_WORKER_CONCURRENCY: 'many', REDIS_URL: 'http://x', ACCTNET_DEFAULT_CURRENCY: 'XYZW', PORT: '70000' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4);
      assert.match(err.message, /ACCTNET_WORKER_CONCURRENCY="many": expected an integer 1\.\.64 \(not an integer\)/);
      assert.match(err.message, /REDIS_URL="http:\/\/x": expected a redis:\/\/ or rediss:\/\/ URL/);
      assert.match(err.message, /ACCTNET_DEFAULT_CURRENCY="XYZW": expected an ISO 4217 currency code/);
      assert.match(err.message, /PORT="70000": expected a TCP port 0\.\.65535 \(out of range 0\.\.65535\)/);
      return true;
    },
  );
});

test('ACCTNET_CURRENCY_EXPONENTS: non-ISO codes with their decimals; bad entries and ISO codes refused', () => {
  const c = loadConfig({ ACCTNET_CURRENCY_EXPONENTS: 'eth:9, PTS:0', ACCTNET_DEFAULT_CURRENCY: 'pts', ACCTNET_FX_RATES: 'ETH=3000.5' });
  assert.deepEqual(c.ingest.currencyExponents, { ETH: 9, PTS: 0 });
  assert.equal(c.ingest.defaultCurrency, 'PTS');
  assert.equal(c.analysis.fxRates.ETH, 3000.5);
  assert.throws(() => loadConfig({ ACCTNET_CURRENCY_EXPONENTS: 'USD:4' }), /USD is an ISO 4217 code; its exponent is fixed/);
  assert.throws(() => loadConfig({ ACCTNET_CURRENCY_EXPONENTS: 'ETH:18' }), /ETH:18: at most 15 decimal places/);
  assert.throws(() => loadConfig({ ACCTNET_CURRENCY_EXPONENTS: 'ETH=9' }), /bad entry "ETH=9" \(CODE:digits, e.g. ETH:9\)/);
  assert.throws(
    () => loadConfig({ ACCTNET_BASE_CURRENCY: 'PTS' }),
    /ACCTNET_BASE_CURRENCY="PTS": expected an ISO 4217 currency code or a code named in ACCTNET_CURRENCY_EXPONENTS/,
  );
});

test('numbers are decimal; the words of a setting in any case', () => {
  assert.throws(() => loadConfig({ ACCTNET_MAX_AMOUNT: '0x10' }), /ACCTNET_MAX_AMOUNT="0x10": expected .*\(not a number\)/);
  assert.throws(() => loadConfig({ ACCTNET_BLACKLIST_THRESHOLD: '0b1' }), /not a number/);
  assert.equal(loadConfig({ ACCTNET_BLACKLIST_THRESHOLD: ' .5 ' }).analysis.threshold, 0.5);
  assert.equal(loadConfig({ ACCTNET_MAX_AMOUNT: '1e6' }).ingest.maxAmount, 1e6);
  assert.equal(loadConfig({ ACCTNET_LEARNED: ' Off' }).analysis.learned, 'off');
  assert.equal(loadConfig({ ACCTNET_LIST_RELEASE_MARGIN: 'OFF' }).analysis.listReleaseMargin, null);
  assert.throws(() => loadConfig({ ACCTNET_LEARNED: 'of' }), /ACCTNET_LEARNED="of": expected .*not one of off, shadow, on/);
});

test('NEO4J_URI without NEO4J_PASSWORD is refused; secrets are not echoed', () => {
  assert.throws(() => loadConfig({ NEO4J_URI: 'neo4j+s://db.example.com' }), /NEO4J_PASSWORD: required when NEO4J_URI is set/);
  assert.throws(
    () => loadConfig({ NEO4J_URI: 'bolt://h:7687', NEO4J_PASSWORD: 'pw9x' }),
    (err: unknown) => err instanceof ConfigError && /NEO4J_PASSWORD=<hidden>/.test(err.message) && !err.message.includes('pw9x'),
  );
  const c = loadConfig({ NEO4J_URI: 'bolt://h:7687', NEO4J_PASSWORD: 'long-enough' });
  assert.equal(c.neo4j.managed, false);
});

test('NEO4J_USER other than neo4j is refused for the managed local Neo4j (it has no other user), accepted with NEO4J_URI', () => {
  assert.throws(() => loadConfig({ NEO4J_USER: 'analyst' }), /NEO4J_USER: "analyst" applies only with NEO4J_URI/);
  assert.equal(loadConfig({ NEO4J_USER: 'neo4j' }).neo4j.user, 'neo4j');
  // A blank one is one problem, said once.
  assert.throws(
    () => loadConfig({ NEO4J_USER: '  ' }),
    (err: unknown) => err instanceof ConfigError && (err.message.match(/NEO4J_USER/g) ?? []).length === 1 && !/undefined/.test(err.message),
  );
  const c = loadConfig({ NEO4J_USER: 'analyst', NEO4J_URI: 'bolt://h:7687', NEO4J_PASSWORD: 'long-enough' });
  assert.equal(c.neo4j.user, 'analyst');
});

test('the CLI stops at start-up with the message and exit code 78', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'config'], {
    env: { ...process.env, ACCTNET_INGEST_BATCH_SIZE: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /ACCTNET_INGEST_BATCH_SIZE="0": expected an integer 1\.\.50000/);
});

test("a misspelt ACCTNET_ setting is named at start-up with the nearest one (it was silently ignored); the dev tools' own are not", () => {
  const env = {
    ACCTNET_BLACKLIST_TRESHOLD: '0.9',
    ACCTNET_SOMETHING_ELSE_ENTIRELY: '1',
    ACCTNET_TEST_NEO4J_PORT: '7699',
    ACCTNET_DEBUG: '1',
  };
  assert.deepEqual(unknownSettings({ ...env, ACCTNET_BLACKLIST_THRESHOLD: '0.8', PATH: '/bin' }), [
    { name: 'ACCTNET_BLACKLIST_TRESHOLD', nearest: 'ACCTNET_BLACKLIST_THRESHOLD' },
    { name: 'ACCTNET_SOMETHING_ELSE_ENTIRELY', nearest: null },
  ]);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'config'], {
    env: { ...process.env, ACCTNET_BLACKLIST_TRESHOLD: '0.9' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /acctnet\/config: ACCTNET_BLACKLIST_TRESHOLD is not a setting acctnet reads \(did you mean ACCTNET_BLACKLIST_THRESHOLD\?\): it is ignored/,
  );
});

test('docs/configuration.md lists every variable', async () => {
  const { configReference } = await import('../src/config/index.js');
  const fs = await import('node:fs');
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
  assert.ok(doc.includes(configReference()), 'regenerate the table with `npx acctnet config --reference`');
});

test('ACCTNET_WATCH_TAKEOVER_MIN_SCORE is never above ACCTNET_WATCH_MIN_SCORE: the lower of the two applies', () => {
  assert.deepEqual((({ minScore, takeoverMinScore }) => ({ minScore, takeoverMinScore }))(loadConfig({}).watch), {
    minScore: 0.75,
    takeoverMinScore: 0.45,
  });
  assert.equal(loadConfig({ ACCTNET_WATCH_TAKEOVER_MIN_SCORE: '0.6' }).watch.takeoverMinScore, 0.6);
  assert.equal(loadConfig({ ACCTNET_WATCH_TAKEOVER_MIN_SCORE: '0.9', ACCTNET_WATCH_MIN_SCORE: '0.7' }).watch.takeoverMinScore, 0.7);
  // Read once: a bad value is one problem, not two.
  assert.throws(
    () => loadConfig({ ACCTNET_WATCH_MIN_SCORE: 'high' }),
    (err: Error) => err.message.split('ACCTNET_WATCH_MIN_SCORE').length === 2,
  );
});

test('ACCTNET_RECOMPUTE_CRON and ACCTNET_RECOMPUTE_TZ are checked at start-up as the job scheduler would read them', () => {
  assert.throws(() => loadConfig({ ACCTNET_RECOMPUTE_CRON: 'a b c d e' }), /ACCTNET_RECOMPUTE_CRON.*not a valid cron pattern/s);
  assert.throws(() => loadConfig({ ACCTNET_RECOMPUTE_CRON: '0 25 * * *' }), /ACCTNET_RECOMPUTE_CRON.*not a valid cron pattern/s);
  assert.throws(() => loadConfig({ ACCTNET_RECOMPUTE_TZ: 'Not/AZone' }), /ACCTNET_RECOMPUTE_TZ.*"Not\/AZone" is not a time zone/s);
  const c = loadConfig({ ACCTNET_RECOMPUTE_CRON: '30 3 * * 1-5', ACCTNET_RECOMPUTE_TZ: 'europe/berlin' });
  assert.equal(c.analysis.cron, '30 3 * * 1-5');
  assert.equal(c.analysis.tz, 'europe/berlin', 'the zone as given');
});

test("ACCTNET_JOB_ATTEMPTS: the default's retries, with BullMQ's own exponential backoff, outlast an hour (the documented promise)", async () => {
  const { Backoffs } = await import('bullmq');
  const { ingestJobOptions } = await import('../src/queue/ingest-queue.js');
  const o = ingestJobOptions(loadConfig({}));
  const backoff = Backoffs.normalize(o.backoff!)!;
  let waited = 0;
  // BullMQ retries while attemptsMade + 1 < attempts; attemptsMade counts the failed attempts so far.
  for (let made = 1; made < o.attempts!; made++) waited += Number(await Backoffs.calculate(backoff, made, new Error('x'), {} as never));
  assert.ok(waited > 3_600_000, `retries wait ${waited} ms`);
  assert.ok(waited < 2 * 3_600_000, `and not far beyond an hour: ${waited} ms`);
});

test("the watch's publication retries: the last attempt about 34 minutes after the failure (docs/analysis.md)", async () => {
  const { Backoffs } = await import('bullmq');
  const { PUBLISH_RETRY } = await import('../src/queue/publish-queue.js');
  const backoff = Backoffs.normalize({ type: 'exponential', delay: PUBLISH_RETRY.delayMs })!;
  let waited = PUBLISH_RETRY.delayMs; // the first attempt is queued with this delay
  for (let made = 1; made < PUBLISH_RETRY.attempts; made++)
    waited += Number(await Backoffs.calculate(backoff, made, new Error('x'), {} as never));
  assert.ok(Math.abs(waited / 60_000 - 34) < 1, `the last attempt ${waited / 60_000} minutes after the failure`);
});

test('ACCTNET_JAVA_HOME: a JDK that is not there is refused by name, not passed over for another one', async () => {
  const { findJavaHome } = await import('../src/neo4j/local.js');
  const local = loadConfig({ ACCTNET_JAVA_HOME: '/no/such/jdk' }).localNeo4j;
  assert.throws(() => findJavaHome(local), /ACCTNET_JAVA_HOME=\/no\/such\/jdk has no bin\/java/);
});
