// A transfer dated in the future (a wrong year or time zone) against the real Neo4j and Redis:
// ingest rejects it with the reason; one stored before that rule does not move a run's data time
// (the run says it left it out), so neither the window nor retention's cut-off jumps ahead; and a
// prune never deletes the run behind the served list when the guard held a newer run's version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createIngestWorker } from '../../src/ingest/ingest-worker.js';
import { importFile } from '../../src/ingest/import-file.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { prune } from '../../src/ops/prune.js';
import { runRecompute, type RunSummary } from '../../src/runs/recompute.js';
import { createWorld } from '../../dev/synth/world.js';
import { writeFile } from '../helpers/data.js';
import { testEnv, testLogger, tmpDir } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';
import { countGraph, openServices, wipeGraph, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;

describe('transfers dated in the future (real Neo4j and Redis)', () => {
  let s: TestServices;
  const base = { ACCTNET_WINDOW_DAYS: '30', ACCTNET_GUARD_MIN_SIZE: '1' };
  const recompute = (config: Config): Promise<RunSummary> =>
    runRecompute(
      { config, driver: s.driver, log: testLogger(), publish: { redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() } },
      { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null, jobId: null },
      () => {},
    );
  before(async () => {
    s = await openServices(base);
  });
  after(async () => {
    await s?.close();
  });

  test('ingest rejects a row dated past ACCTNET_MAX_FUTURE_HOURS with the reason; the others are written', async () => {
    const worker = createIngestWorker({ config: s.config, driver: s.driver, connection: s.rt.redis(), log: testLogger() });
    try {
      const dir = tmpDir('future');
      const soon = new Date(Date.now() + 3_600_000).toISOString();
      const lines = [
        'tx_id,from_account,to_account,amount,currency,timestamp',
        'f1,FA,FB,10.00,EUR,2026-01-02T10:00:00Z',
        'f2,FA,FB,20.00,EUR,2031-01-01T00:00:00Z',
        `f3,FB,FA,5.00,EUR,${soon}`,
      ];
      const file = writeFile(dir, 'future.csv', lines.join('\n') + '\n');
      const rejectsFile = path.join(dir, 'rejects.csv');
      const deps = { config: s.config, queue: s.rt.ingestQueue(), connection: s.rt.redis(), batches: s.rt.batches() };
      const summary = await importFile(deps, { file, map: {}, rejectsFile });
      assert.equal(summary.written, 2, 'an hour ahead is within the tolerance (clocks differ)');
      assert.equal(summary.rejected, 1);
      const rejects = parse(fs.readFileSync(rejectsFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
      assert.equal(rejects[0]!.tx_id, 'f2');
      assert.match(
        rejects[0]!.reason!,
        /^timestamp 2031-01-01T00:00:00Z is \d+ days ahead of this process's clock .*ACCTNET_MAX_FUTURE_HOURS=24\)$/,
      );
    } finally {
      await worker.close();
    }
  });

  test("one stored before the rule does not move a run's data time, retention's cut-off or the served list's run", async () => {
    await wipeGraph(s.driver);
    // 30 days of data, and one transfer dated 2031 written with the rule off (as before it existed).
    const world = createWorld({ seed: 3, accounts: 300, days: 30, activity: 0.6, currency: 'USD' });
    await seedTransfers(s.driver, s.config, world.transfers(), 'world');
    // The latest transfer not in the future.
    const latestOf = async () =>
      Number(
        (
          await s.driver.executeQuery('MATCH ()-[t:TRANSFER]->() WHERE t.at < $y RETURN max(t.at) AS at', { y: Date.UTC(2030, 0, 1) })
        ).records[0]!.get('at'),
      );
    const latest = await latestOf();
    assert.ok(latest >= Math.max(...[...world.transfers()].map((t) => t.at)));
    const lax = loadConfig({ ...testEnv(base), ACCTNET_QUEUE_PREFIX: s.config.queue.prefix, ACCTNET_MAX_FUTURE_HOURS: 'off' });
    await seedTransfers(
      s.driver,
      lax,
      [{ txId: 'typo', from: 'ZA5', to: 'ZA6', amount: '20.00', currency: 'USD', at: Date.UTC(2031, 0, 1), channel: 'web' }],
      'legacy',
    );

    const first = await recompute(s.config);
    assert.equal(first.status, 'succeeded');
    const run = (await createRunRepository(s.driver, s.config.neo4j).get(first.runId))!;
    assert.equal(run.asOf, latest, "the run's data time is the latest real transfer, not 2031");
    assert.ok(
      run.warnings.some((w) =>
        /^1 transfers are dated after .*ACCTNET_MAX_FUTURE_HOURS=24; the earliest 2031-01-01T00:00:00\.000Z\)/.test(w),
      ),
      run.warnings.join(' | '),
    );
    assert.ok((first.counts.accounts ?? 0) > 100, 'the window holds the world');
    const v1 = first.blacklistVersion!;
    assert.ok(v1 >= 1);

    // Retention relative to that data time (40 days) deletes nothing of these 30 days — relative to
    // 2031 it would have deleted them all.
    const graph = await countGraph(s.driver);
    const retaining = loadConfig({ ...testEnv(base), ACCTNET_QUEUE_PREFIX: s.config.queue.prefix, ACCTNET_RETAIN_TRANSFERS_DAYS: '40' });
    const announce = await recompute(retaining);
    assert.ok(announce.retention && !('error' in announce.retention));
    const applied = await recompute(retaining);
    assert.ok(applied.retention && !('error' in applied.retention));
    assert.equal(applied.retention.deleted.transfers, 0, JSON.stringify(applied.retention));
    assert.deepEqual(await countGraph(s.driver), graph);

    // A newer run's version held by the guard (a list emptied by a threshold no account reaches):
    // the served list stays the older run's, and a prune past every run keeps that run's record.
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const servedBefore = (await blacklist.state()).servedVersion!;
    const servedRun = (await blacklist.get(servedBefore))!.runId!;
    const strict = loadConfig({ ...testEnv(base), ACCTNET_QUEUE_PREFIX: s.config.queue.prefix, ACCTNET_BLACKLIST_THRESHOLD: '1' });
    const held = await recompute(strict);
    assert.equal(held.status, 'succeeded');
    assert.equal((await blacklist.state()).servedVersion, servedBefore, 'the guard held the emptied list');
    assert.notEqual(held.runId, servedRun);
    const report = await prune({ config: s.config, driver: s.driver }, { before: Date.now() + DAY });
    assert.ok(report.deleted.runs >= 1, 'older runs went');
    const runs = createRunRepository(s.driver, s.config.neo4j);
    assert.ok(await runs.get(servedRun), "the served list's run is kept");
    assert.ok(await runs.get(held.runId), 'the run whose results are served is kept');

    // `prune --future` deletes the legacy row (a dry run first counts it); the next run no longer warns.
    const dry = await prune({ config: s.config, driver: s.driver }, { future: true, dryRun: true });
    assert.equal(dry.future?.transfers, 1);
    const before = await countGraph(s.driver);
    const gone = await prune({ config: s.config, driver: s.driver }, { future: true });
    assert.equal(gone.future?.transfers, 1);
    assert.equal((await countGraph(s.driver)).transfers, before.transfers - 1);
    const after = await recompute(s.config);
    const last = (await runs.get(after.runId))!;
    assert.ok(!last.warnings.some((w) => w.includes('dated after')), last.warnings.join(' | '));
    assert.match(
      run.warnings.find((w) => w.includes('dated after'))!,
      /delete them with `npx acctnet prune --future`/,
    );
  });
});
