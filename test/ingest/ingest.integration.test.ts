// Ingest against the real Neo4j and Redis: idempotent replay, rejected rows, the AMLSim export.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { importFile } from '../../src/ingest/import-file.js';
import { AMLSIM_DIR, AMLSIM_SKIP_MESSAGE, amlsimAvailable, ROOT, testLogger, tmpDir } from '../helpers/env.js';
import { syntheticCsv, writeFile } from '../helpers/data.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

function cli(env: NodeJS.ProcessEnv, args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), ...args], { env, encoding: 'utf8', cwd: tmpDir('cli') });
}

describe('ingest (real Neo4j and Redis)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: '700' });
  });
  after(async () => {
    await s.close();
  });

  test('importing the same file twice leaves counts and sums unchanged', async () => {
    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    try {
      const data = await syntheticCsv(tmpDir('replay'), { rows: 5000, accounts: 800 });
      const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
      const first = await importFile(deps, { file: data.file, map: {} });
      assert.equal(first.written, data.rows);
      assert.equal(first.rejected, 0);
      const afterFirst = await countGraph(s.driver);
      assert.deepEqual(afterFirst, { accounts: data.accounts, transfers: data.rows, amount: data.amountMinor });

      const second = await importFile(deps, { file: data.file, map: {} });
      assert.equal(second.written, 0);
      assert.equal(second.duplicates, data.rows);
      assert.deepEqual(await countGraph(s.driver), afterFirst);

      const firstSeen = await s.driver.executeQuery('MATCH (a:Account) WHERE a.firstSeenAt IS NULL RETURN count(a) AS n');
      assert.equal(Number(firstSeen.records[0]!.get('n')), 0, 'every account has firstSeenAt');
    } finally {
      await worker.close();
    }
  });

  test('bad rows are rejected with reasons, kept, listed, and written to a rejects file; exit code 2', () => {
    const dir = tmpDir('rejects');
    const file = writeFile(
      dir,
      'mixed.csv',
      [
        'tx_id,from_account,to_account,amount,currency,timestamp,channel',
        'r1,A1,A2,10.00,EUR,2026-01-01T10:00:00Z,card',
        'r2,A1,,10.00,EUR,2026-01-01T10:00:00Z,card',
        'r3,A1,A3,-4,EUR,2026-01-01T10:00:00Z,card',
        'r4,A1,A3,12.5,EUR,not-a-date,card',
        'r5,A1,A3,1e3,EUR,2026-01-01T10:00:00Z,card',
        `r6,${'x'.repeat(200)},A3,5,EUR,2026-01-01T10:00:00Z,card`,
        'r7,A2,A3,7.25,EUR,1767261600000,p2p',
        'r1,A1,A2,99.00,EUR,2026-01-01T10:00:00Z,card',
        'r8,A3,A1,1.00,EUR,2026-01-02T10:00:00Z,',
      ].join('\n'),
    );
    const rejects = path.join(dir, 'out.rejects.csv');
    const r = cli(s.env, ['import', file, '--rejects', rejects]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /9 rows read, 3 written, 0 already stored, 6 rejected/);
    assert.match(r.stderr, new RegExp(`rejected rows and their reasons: ${rejects}`));
    const text = fs.readFileSync(rejects, 'utf8');
    assert.match(text, /^line,tx_id,reason,raw\n/);
    for (const expected of [
      /3,r2,missing to_account/,
      /4,r3,negative amount -4/,
      /5,r4,"timestamp ""not-a-date"" is neither ISO 8601 nor epoch milliseconds"/,
      /6,r5,"amount ""1e3"" is not a decimal number"/,
      /7,r6,from_account is 200 characters long; at most 128 are allowed/,
      /9,r1,tx_id r1 already stored with different content: amount 1000 EUR ≠ 9900 EUR/,
    ]) {
      assert.match(text, expected);
    }

    // The same file again: the good rows are "already stored", the bad ones rejected again.
    const again = cli(s.env, ['import', file, '--rejects', path.join(dir, 'again.csv')]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /9 rows read, 0 written, 3 already stored, 6 rejected/);

    const batchId = /batch (imp-\S+):/.exec(r.stderr)![1]!;
    const listed = cli(s.env, ['batches', 'rejects', batchId]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout.trim().split('\n').length, 7);
    const shown = JSON.parse(cli(s.env, ['batches', 'show', batchId]).stdout);
    assert.equal(shown.written, 3);
    assert.equal(shown.rejected, 6);
    // As GET /v1/ingest/batches/:id says it: the state, and a time that reads as one.
    assert.equal(shown.state, 'done');
    assert.match(shown.createdAt, /^20\d\d-\d\d-\d\dT/);
    assert.deepEqual(shown.failedJobs, []);
    // The batches can be found without keeping their ids: newest first.
    const list = cli(s.env, ['batches', 'list', '--json', '--limit', '2']);
    assert.equal(list.status, 0, list.stderr);
    const recent = JSON.parse(list.stdout) as Array<{ id: string; state: string; written: number; createdAt: string }>;
    assert.equal(recent.length, 2);
    assert.ok(recent[0]!.createdAt >= recent[1]!.createdAt);
    const mine = recent.find((b) => b.id === batchId);
    assert.ok(mine, `${batchId} among the latest two`);
    assert.equal(mine.state, 'done');
    assert.equal(mine.written, 3);
    const printed = cli(s.env, ['batches', 'list']);
    assert.match(printed.stdout, /^batch\s+source\s+name\s+created\s+state/);
  });

  test("import --currency: the file's currency fills rows that name none; a code acctnet does not know is a usage error", () => {
    const dir = tmpDir('currency');
    const file = writeFile(
      dir,
      'eur.csv',
      [
        'txn_ref,payer,payee,amount_eur,currency,booked_at',
        'cur1,CUR-A,CUR-B,10.00,,2026-01-01T10:00:00Z',
        'cur2,CUR-A,CUR-C,20.00,GBP,2026-01-01T11:00:00Z',
      ].join('\n') + '\n',
    );
    const map = [
      '--map',
      'tx_id=txn_ref',
      '--map',
      'from_account=payer',
      '--map',
      'to_account=payee',
      '--map',
      'amount=amount_eur',
      '--map',
      'timestamp=booked_at',
    ];
    const bad = cli(s.env, ['import', file, ...map, '--currency', 'EURO']);
    assert.equal(bad.status, 64, bad.stderr);
    assert.match(bad.stderr, /--currency "EURO" is not an ISO 4217 code/);
    const r = cli(s.env, ['import', file, ...map, '--currency', 'eur']);
    assert.equal(r.status, 0, r.stderr);
    return s.driver
      .executeQuery("MATCH ()-[t:TRANSFER]->() WHERE t.txId IN ['cur1', 'cur2'] RETURN t.txId AS id, t.currency AS currency ORDER BY id")
      .then((q) =>
        assert.deepEqual(
          q.records.map((x) => [x.get('id'), x.get('currency')]),
          [
            ['cur1', 'EUR'],
            ['cur2', 'GBP'],
          ],
          'the empty cell takes the file currency; a named one is kept',
        ),
      );
  });

  test('the AMLSim export loads through --map: 10,333 transfers among 100 accounts', async (t) => {
    if (!amlsimAvailable()) {
      t.skip(AMLSIM_SKIP_MESSAGE);
      return;
    }
    const r = cli(s.env, [
      'import',
      path.join(AMLSIM_DIR, 'transactions.csv'),
      '--map',
      'tx_id=tran_id',
      '--map',
      'from_account=orig_acct',
      '--map',
      'to_account=bene_acct',
      '--map',
      'amount=base_amt',
      '--map',
      'timestamp=tran_timestamp',
      '--map',
      'channel=tx_type',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /10333 rows read, 10333 written, 0 already stored, 0 rejected/);
    const counts = await s.driver.executeQuery("MATCH (a:Account)-[t:TRANSFER]->() WHERE a.id =~ '[0-9]+' RETURN count(t) AS transfers");
    assert.equal(Number(counts.records[0]!.get('transfers')), 10333);
    const accounts = await s.driver.executeQuery("MATCH (a:Account) WHERE a.id =~ '[0-9]+' RETURN count(a) AS n");
    assert.equal(Number(accounts.records[0]!.get('n')), 100);
    const sum = await s.driver.executeQuery(
      "MATCH (a:Account)-[t:TRANSFER]->() WHERE a.id =~ '[0-9]+' RETURN sum(t.amount) AS minor, collect(DISTINCT t.currency) AS currencies",
    );
    const expected = fs
      .readFileSync(path.join(AMLSIM_DIR, 'transactions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .reduce((acc, line) => acc + Math.round(Number(line.split(',')[4]) * 100), 0);
    assert.equal(Number(sum.records[0]!.get('minor')), expected);
    assert.deepEqual(sum.records[0]!.get('currencies'), ['USD']);
  });
});

describe('ACCTNET_INGEST_MAX_PENDING (real Neo4j and Redis)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: '10', ACCTNET_INGEST_MAX_PENDING: '2' });
  });
  after(async () => {
    await s.close();
  });

  test('import stops reading while that many of its jobs wait, and goes on as they are written', async () => {
    const data = await syntheticCsv(tmpDir('pending'), { rows: 200, accounts: 50, prefix: 'MP' });
    const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // No worker yet: the import's jobs wait in the queue.
    const running = importFile(deps, { file: data.file, map: {} });
    const queue = s.rt.ingestQueue();
    for (let k = 0; k < 100 && (await queue.count()) < 2; k++) await sleep(100);
    // Time enough to read all 200 rows (20 jobs of 10) if it did not stop.
    await sleep(1500);
    assert.equal(await queue.count(), 2, 'two jobs waiting, the rest of the file not read yet');
    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    try {
      const summary = await running;
      assert.equal(summary.written, data.rows);
      assert.equal(await queue.count(), 0);
    } finally {
      await worker.close();
    }
  });
});
