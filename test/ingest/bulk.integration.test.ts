// `import --bulk` against real Neo4j servers: the graph it builds equals the streaming path's on the
// same seeded file (with duplicates, conflicts, bad rows and --map), it refuses a non-empty graph.
//
// The bulk import stops and starts the server it loads, so it gets its OWN managed instance
// ("bulk-test", port ACCTNET_TEST_BULK_NEO4J_PORT or 7736), started here and stopped here; the
// shared test instance (scripts/test.mjs) only serves the streaming import.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Driver } from 'neo4j-driver';
import { loadConfig, type Config } from '../../src/config/index.js';
import { BulkRefused, bulkImport, checkDisk, importerProgress } from '../../src/ingest/bulk-import.js';
import { importFile, writeRejectsFile } from '../../src/ingest/import-file.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { createDriver } from '../../src/neo4j/driver.js';
import { createIngestBatchRepository } from '../../src/neo4j/repositories/ingest-batches.js';
import { localPaths, readPid, startLocalNeo4j, stopLocalNeo4j } from '../../src/neo4j/local.js';
import { syntheticCsv } from '../helpers/data.js';
import { ROOT, testLogger, tmpDir } from '../helpers/env.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

const BATCH_SIZE = '700';

function bulkEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NEO4J_URI;
  delete env.NEO4J_DATABASE;
  return {
    ...env,
    ACCTNET_NEO4J_INSTANCE: 'bulk-test',
    ACCTNET_NEO4J_BOLT_PORT: process.env.ACCTNET_TEST_BULK_NEO4J_PORT ?? '7736',
    ACCTNET_NEO4J_HEAP: '512m',
    ACCTNET_NEO4J_PAGECACHE: '256m',
    ACCTNET_NEO4J_START_TIMEOUT_MS: '300000',
    NEO4J_PASSWORD: 'acctnet-bulk-test-pw',
    ACCTNET_INGEST_BATCH_SIZE: BATCH_SIZE,
    LOG_LEVEL: 'silent',
  };
}

/**
 * A seeded file with source column names (read through --map), plus what a real export carries:
 * repeats of a row in the same job and in a later job, conflicting repeats, and bad rows.
 */
async function seededFile(dir: string): Promise<{ file: string; rows: number }> {
  const data = await syntheticCsv(dir, { rows: 3000, accounts: 400, seed: 12, prefix: 'BK' });
  const lines = fs.readFileSync(data.file, 'utf8').trimEnd().split('\n');
  lines[0] = 'tran_id,orig_acct,bene_acct,base_amt,currency,tran_timestamp,channel';
  const row = (n: number) => lines[n]!; // line n of the file (1 = header)
  const extra = [
    row(5), // a repeat in a later job: already stored
    row(2101).replace(/,(\d+\.\d\d),/, ',1234567.89,'), // a conflict with an earlier job
    'EXT900,BK0000001,BK0000002,5.00,EUR,2026-01-03T10:00:00Z,p2p',
    'EXT900,BK0000001,BK0000002,5.00,EUR,2026-01-03T10:00:00Z,p2p', // a repeat in the same job
    'EXT900,BK0000001,BK0000003,5.00,EUR,2026-01-03T10:00:00Z,p2p', // a conflict in the same job
    'EXT901,BK0000001,,5.00,EUR,2026-01-03T10:00:00Z,p2p',
    'EXT902,BK0000004,BK0000004,5.00,EUR,2026-01-03T10:00:00Z,p2p',
    'EXT903,BK0000004,BK0000005,1.234,EUR,2026-01-03T10:00:00Z,p2p',
    'EXT904,BK0000004,BK0000005,7.00,EUR,1700000000,p2p',
    'EXT905,"BK ""quoted"", id",BK0000005,7.00,eur,2026-01-04,"we,b"',
    'EXT906,BK0000006,BK0000007,3.00,,2025-12-31T23:00:00-02:00,',
  ];
  const file = path.join(dir, 'seeded.csv');
  fs.writeFileSync(file, `${[...lines, ...extra].join('\n')}\n`);
  return { file, rows: lines.length - 1 + extra.length };
}

const MAP = { tx_id: 'tran_id', from_account: 'orig_acct', to_account: 'bene_acct', amount: 'base_amt', timestamp: 'tran_timestamp' };

/** Everything both paths must agree on, ingest timestamps and batch ids left out. */
async function snapshot(driver: Driver, batchId: string) {
  const q = async (cypher: string) => (await driver.executeQuery(cypher, { batchId })).records.map((r) => r.toObject());
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    totals: await countGraph(driver),
    accounts: (
      await q('MATCH (a:Account) RETURN a.id AS id, a.firstSeenAt AS firstSeenAt, a.createdAt IS NOT NULL AS hasCreatedAt ORDER BY id')
    ).map((r) => [r.id, num(r.firstSeenAt), r.hasCreatedAt]),
    transfers: (
      await q(
        'MATCH (a:Account)-[t:TRANSFER]->(b:Account) RETURN t.txId AS txId, a.id AS from, b.id AS to, t.amount AS amount, t.currency AS currency, t.at AS at, t.channel AS channel, t.batchId = $batchId AS inBatch ORDER BY txId',
      )
    ).map((r) => [r.txId, r.from, r.to, num(r.amount), r.currency, num(r.at), r.channel, r.inBatch]),
    batch: (
      await q(
        'MATCH (b:IngestBatch {id: $batchId}) RETURN b.source AS source, b.name AS name, b.expectedChunks AS chunks, b.expectedRows AS rows, b.readAt IS NOT NULL AS read',
      )
    ).map((r) => [r.source, r.name, num(r.chunks), num(r.rows), r.read]),
    chunks: (
      await q(
        'MATCH (c:IngestChunk {batchId: $batchId}) RETURN c.key = $batchId + "#" + c.seq AS keyed, c.seq AS seq, c.received AS received, c.written AS written, c.duplicates AS duplicates, c.rejected AS rejected ORDER BY seq',
      )
    ).map((r) => [r.keyed, num(r.seq), num(r.received), num(r.written), num(r.duplicates), num(r.rejected)]),
    rejected: (
      await q(
        'MATCH (r:RejectedRow {batchId: $batchId}) RETURN r.seq AS seq, r.line AS line, r.reason AS reason, r.raw AS raw, r.txId AS txId ORDER BY line, reason',
      )
    ).map((r) => [num(r.seq), num(r.line), r.reason, r.raw, r.txId]),
    otherNodes: await q(
      'MATCH (n) WHERE NOT n:Account AND NOT n:IngestBatch AND NOT n:IngestChunk AND NOT n:RejectedRow RETURN count(n) AS n',
    ),
  };
}

describe('import --bulk (own managed Neo4j, real Redis)', () => {
  let s: TestServices;
  let bulkConfig: Config;
  let startedPid: number | undefined;

  before(async () => {
    // Streaming in file order (one job at a time), which is what the bulk path reproduces.
    s = await openServices({ ACCTNET_INGEST_BATCH_SIZE: BATCH_SIZE, ACCTNET_WORKER_CONCURRENCY: '1' });
    bulkConfig = loadConfig(bulkEnv());
    const paths = localPaths(bulkConfig.localNeo4j);
    // A previous run of this test that died left its own instance behind: stop it, start empty.
    await stopLocalNeo4j(bulkConfig, () => {});
    fs.rmSync(paths.instanceDir, { recursive: true, force: true });
    const started = await startLocalNeo4j(bulkConfig, () => {});
    startedPid = started.pid;
  });

  after(async () => {
    await s.close();
    if (bulkConfig) {
      const pid = readPid(localPaths(bulkConfig.localNeo4j));
      if (pid !== undefined) await stopLocalNeo4j(bulkConfig, () => {});
      fs.rmSync(localPaths(bulkConfig.localNeo4j).instanceDir, { recursive: true, force: true });
    }
  });

  test('importer progress: phases and percentages of neo4j-admin output', () => {
    const state = { phase: 0, phases: 1, name: 'starting' };
    assert.equal(importerProgress('Import starting 2026-12-02 18:27:55.826+0000', state), undefined);
    assert.equal(importerProgress('(2/4) Relationship import 2026-12-02 18:28:02.305+0000', state), 0.25);
    assert.equal(state.name, 'Relationship import');
    assert.equal(importerProgress('.......... .......... .......... .......... ..........  50% ∆0ms [5s 619ms]', state), 0.375);
  });

  test('the disk check refuses when the files would not fit', () => {
    assert.throws(() => checkDisk(1e16, tmpDir('disk'), null), /not enough free disk for --bulk: .* has .* free; the import files need/);
  });

  test('builds the same graph, batch records and rejects as streaming the same file', async () => {
    const dir = tmpDir('bulk');
    const { file, rows } = await seededFile(dir);

    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    let streamed;
    try {
      const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
      streamed = await importFile(deps, { file, map: MAP, rejectsFile: path.join(dir, 'streamed.rejects.csv') });
    } finally {
      await worker.close();
    }
    assert.equal(streamed.rowsRead, rows);
    assert.deepEqual([streamed.written, streamed.duplicates, streamed.rejected], [3003, 2, 6], JSON.stringify(streamed));

    const steps: string[] = [];
    const bulk = await bulkImport(bulkConfig, {
      file,
      map: MAP,
      rejectsFile: path.join(dir, 'bulk.rejects.csv'),
      onStep: (step) => steps.push(step),
    });
    assert.deepEqual(steps, ['check', 'convert', 'stop', 'import', 'start', 'schema', 'verify']);
    assert.equal(bulk.mode, 'managed');
    assert.deepEqual(
      [bulk.rowsRead, bulk.written, bulk.duplicates, bulk.rejected],
      [streamed.rowsRead, streamed.written, streamed.duplicates, streamed.rejected],
    );
    assert.ok(bulk.downtimeMs! > 0);
    assert.equal(fs.existsSync(bulk.files.dir), false, 'the import files are removed after a successful import');
    assert.notEqual(readPid(localPaths(bulkConfig.localNeo4j)), startedPid, 'the server was restarted');

    // Rejected rows: the same file, byte for byte (the streaming one is written from Neo4j).
    assert.equal(fs.readFileSync(bulk.rejectsFile!, 'utf8'), fs.readFileSync(streamed.rejectsFile!, 'utf8'));
    const fromBulkDb = path.join(dir, 'bulk-from-db.rejects.csv');
    const bulkDriver = createDriver(bulkConfig.neo4j);
    try {
      const bulkBatches = createIngestBatchRepository(bulkDriver, bulkConfig.neo4j);
      await writeRejectsFile(bulkBatches, bulk.batchId, fromBulkDb);
      assert.equal(fs.readFileSync(fromBulkDb, 'utf8'), fs.readFileSync(streamed.rejectsFile!, 'utf8'));
      const status = await bulkBatches.status(bulk.batchId);
      const streamedStatus = await s.rt.batches().status(streamed.batchId);
      const { id: _a, createdAt: _b, ...bulkShown } = status!;
      const { id: _c, createdAt: _d, ...streamedShown } = streamedStatus!;
      assert.deepEqual(bulkShown, streamedShown, '`batches show` reports the same');

      const a = await snapshot(s.driver, streamed.batchId);
      const b = await snapshot(bulkDriver, bulk.batchId);
      assert.deepEqual(
        [a.transfers.length, a.rejected.length, a.chunks.length, a.chunks.reduce((n, c) => n + (c[4] as number), 0)],
        [3003, 6, 5, 2],
        'the seeded file: 3,000 + 3 new transfers, 6 rejects, 5 jobs, 2 repeats',
      );
      assert.deepEqual(b, a);

      const constraints = await bulkDriver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names');
      const names = constraints.records[0]!.get('names') as string[];
      for (const name of ['account_id', 'transfer_tx_id', 'ingest_chunk_key', 'api_key_id']) assert.ok(names.includes(name), name);
    } finally {
      await bulkDriver.close();
    }
  });

  test('refuses a graph that holds data, says why, and leaves it running untouched', async () => {
    const dir = tmpDir('bulk-refuse');
    const file = path.join(dir, 'more.csv');
    fs.writeFileSync(file, 'tx_id,from_account,to_account,amount,timestamp\nX1,A,B,1.00,2026-01-01\n');
    const driver = createDriver(bulkConfig.neo4j);
    try {
      const before = await countGraph(driver);
      assert.ok(before.transfers > 3000, 'the previous test loaded this instance');
      const pid = readPid(localPaths(bulkConfig.localNeo4j));
      await assert.rejects(
        bulkImport(bulkConfig, { file, map: {} }),
        (err: Error) =>
          err instanceof BulkRefused &&
          /--bulk replaces the whole database and only loads a graph that holds no data yet; this one holds [\d,]+ Account, /.test(
            err.message,
          ) &&
          /npx acctnet import FILE/.test(err.message),
      );
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'acctnet.js'), 'import', file, '--bulk'], {
        env: bulkEnv(),
        encoding: 'utf8',
        cwd: dir,
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /error: --bulk replaces the whole database .* holds [\d,]+ Account, .*IngestBatch/);
      assert.deepEqual(await countGraph(driver), before);
      assert.equal(readPid(localPaths(bulkConfig.localNeo4j)), pid, 'the server was not restarted');
      assert.deepEqual(fs.readdirSync(dir), ['more.csv'], 'no rejects or import files were written');
    } finally {
      await driver.close();
    }
  });
});
