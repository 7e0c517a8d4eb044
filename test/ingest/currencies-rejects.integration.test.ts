// Non-ISO currencies with configured decimals, and the rejects file keeping each record as read,
// against the real Neo4j and Redis.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { importFile } from '../../src/ingest/import-file.js';
import { testLogger, tmpDir } from '../helpers/env.js';
import { writeFile } from '../helpers/data.js';
import { openServices, type TestServices } from '../helpers/services.js';

describe('currencies and rejects (real Neo4j and Redis)', () => {
  let s: TestServices;
  before(async () => {
    s = await openServices({ ACCTNET_CURRENCY_EXPONENTS: 'ETH:9,PTS:0', ACCTNET_INGEST_BATCH_SIZE: '4' });
  });
  after(async () => {
    await s.close();
  });

  test('ETH:9 and PTS:0 are stored exactly in minor units; beyond the exact range and unknown codes are rejected with the reason; raw is the line as read', async () => {
    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    try {
      const dir = tmpDir('currencies');
      const lines = [
        'tx_id,from_account,to_account,amount,currency,timestamp,channel',
        'c1,W1,W2,1.000000001,ETH,2026-01-01T10:00:00Z,chain',
        'c2,W2,W3,9007199.254740991,eth,2026-01-01T11:00:00Z,chain',
        'c3,W3,W1,9007199.254740992,ETH,2026-01-01T12:00:00Z,chain',
        'c4,L1,L2,2500,PTS,2026-01-01T10:00:00Z,loyalty',
        'c5,L1,L2,2.5,PTS,2026-01-01T10:00:00Z,loyalty',
        'c6,L1,L2,10,DOGE,2026-01-01T10:00:00Z,  "spaced, quoted"',
        'c7,A1,A2,"1,5",EUR,2026-01-01T10:00:00Z,"multi',
        'line"',
        'c8,A1,A2,12.50,EUR,2026-01-01T10:00:00Z,card',
      ];
      const file = writeFile(dir, 'mixed.csv', lines.join('\r\n') + '\r\n');
      const rejectsFile = path.join(dir, 'rejects.csv');
      const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
      const summary = await importFile(deps, { file, map: {}, rejectsFile });
      assert.equal(summary.written, 4);
      assert.equal(summary.rejected, 4);

      const stored = await s.driver.executeQuery(
        'MATCH ()-[t:TRANSFER]->() RETURN t.txId AS txId, t.amount AS amount, t.currency AS currency ORDER BY txId',
      );
      assert.deepEqual(
        stored.records.map((r) => [r.get('txId'), Number(r.get('amount')), r.get('currency')]),
        [
          ['c1', 1_000_000_001, 'ETH'],
          ['c2', Number.MAX_SAFE_INTEGER, 'ETH'],
          ['c4', 2500, 'PTS'],
          ['c8', 1250, 'EUR'],
        ],
      );

      const rejects = parse(fs.readFileSync(rejectsFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(
        rejects.map((r) => [r.line, r.tx_id, r.raw]),
        [
          ['4', 'c3', lines[3]],
          ['6', 'c5', lines[5]],
          ['7', 'c6', lines[6]],
          ['8', 'c7', `${lines[7]}\r\n${lines[8]}`],
        ],
      );
      assert.equal(
        rejects[0]!.reason,
        'amount 9007199.254740992 ETH is beyond the exact range: with 9 decimal places at most 9007199.254740991 ETH is stored exactly (integer minor units below 2^53); split the transfer or configure fewer decimals',
      );
      assert.match(rejects[1]!.reason!, /more decimal places than PTS allows \(0\)/);
      assert.match(rejects[2]!.reason!, /currency "DOGE" is not an ISO 4217 code nor one configured in ACCTNET_CURRENCY_EXPONENTS/);
      assert.match(rejects[3]!.reason!, /amount "1,5" is not a decimal number/);
    } finally {
      await worker.close();
    }
  });
  test('a file whose header lacks a needed column is refused before its first job, and leaves no batch behind', async () => {
    const file = writeFile(tmpDir('header'), 'wrong.csv', 'id,from,to,amount,timestamp\nh1,A,B,1.00,2026-01-01T10:00:00Z\n');
    const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
    const before = Number((await s.driver.executeQuery('MATCH (b:IngestBatch) RETURN count(b) AS n')).records[0]!.get('n'));
    await assert.rejects(importFile(deps, { file, map: {} }), /no column tx_id, from_account, to_account/);
    const after = Number((await s.driver.executeQuery('MATCH (b:IngestBatch) RETURN count(b) AS n')).records[0]!.get('n'));
    assert.equal(after, before, 'the batch created for it is removed (it would read as in progress for ever)');
  });
});
