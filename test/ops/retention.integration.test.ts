// Retention after a run (ACCTNET_RETAIN_*) against the real Neo4j and Redis: the dry run counts what
// the run then deletes; a legal hold keeps labelled, overridden and listed accounts' transfers; an
// account keeps its first-seen time; a version a webhook still needs stays; the run records it all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { publishOverride } from '../../src/blacklist/publish.js';
import type { Config } from '../../src/config/index.js';
import { loadConfig } from '../../src/config/index.js';
import { validationRules } from '../../src/ingest/rules.js';
import { writeIngestChunk } from '../../src/ingest/write-chunk.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createRetentionRepository } from '../../src/neo4j/repositories/retention.js';
import { createRunRepository } from '../../src/neo4j/repositories/runs.js';
import { createWebhookRepository } from '../../src/neo4j/repositories/webhooks.js';
import { prune } from '../../src/ops/prune.js';
import { runRecompute, type RunSummary } from '../../src/runs/recompute.js';
import { warnIfRetentionIsNew } from '../../src/runs/retention.js';
import type { Logger } from '../../src/logger.js';
import { createWorld } from '../../dev/synth/world.js';
import type { SyntheticTransfer } from '../../dev/synth/background.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { testEnv, testLogger } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';
import { countGraph, openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;

describe('retention after a run (real Neo4j and Redis)', () => {
  let s: TestServices;
  let app: FastifyInstance;
  let keys: Keys;
  let transfers: SyntheticTransfer[];
  let retaining: Config;
  const oldAt = Date.UTC(2025, 9, 1, 12);
  const runs = () => createRunRepository(s.driver, s.config.neo4j);
  const blacklist = () => createBlacklistRepository(s.driver, s.config.neo4j);
  const recompute = (config: Config): Promise<RunSummary> =>
    runRecompute(
      { config, driver: s.driver, log: testLogger(), publish: { redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() } },
      { trigger: 'cli', requestedBy: 'test', requestedAt: Date.now(), asOf: null, jobId: null },
      () => {},
    );
  const firstSeen = async (id: string): Promise<number | null> => {
    const r = await s.driver.executeQuery('MATCH (a:Account {id: $id}) RETURN a.firstSeenAt AS at', { id });
    return r.records[0] ? Number(r.records[0].get('at')) : null;
  };
  const transferExists = async (txId: string): Promise<boolean> =>
    (await s.driver.executeQuery('MATCH ()-[t:TRANSFER {txId: $txId}]->() RETURN count(t) AS n', { txId })).records[0]!.get('n') > 0;

  before(async () => {
    const base = { ACCTNET_GUARD_MIN_SIZE: '100000', ACCTNET_WINDOW_DAYS: '30' };
    s = await openServices(base);
    retaining = loadConfig({
      ...testEnv(base),
      ACCTNET_QUEUE_PREFIX: s.config.queue.prefix,
      ACCTNET_RETAIN_TRANSFERS_DAYS: '40',
      ACCTNET_RETAIN_VERSIONS: '2',
    });
    const world = createWorld({ seed: 7, accounts: 600, days: 75, activity: 0.6, currency: 'USD' });
    transfers = [
      ...world.transfers(),
      // Old transfers: one between two accounts nobody holds, one of a labelled account.
      { txId: 'old-1', from: 'OLD-A', to: 'OLD-B', amount: '10.00', currency: 'USD', at: oldAt, channel: 'transfer' },
      { txId: 'old-2', from: 'OLD-L', to: 'OLD-C', amount: '20.00', currency: 'USD', at: oldAt + 1000, channel: 'transfer' },
    ];
    await seedTransfers(s.driver, s.config, transfers);
    await createLabelRepository(s.driver, s.config.neo4j).append([
      { accountId: 'OLD-L', label: 'fraud', note: null, source: 'test', createdBy: 'test' },
    ]);
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app?.close();
    await s.close();
  });

  test('a run applies the retention settings, keeps what is held or needed, and records what it deleted', async () => {
    // Retention off: nothing is deleted and the run records no retention.
    const first = await recompute(s.config);
    assert.equal(first.status, 'succeeded');
    assert.equal(first.retention, null);
    assert.equal((await runs().get(first.runId))!.retention, null);
    const v1 = first.blacklistVersion!;
    assert.ok(v1 >= 1);

    // Three more versions through overrides; a webhook that has only acknowledged the second.
    const world = transfers.filter((t) => !t.txId.startsWith('old-'));
    const [x, y] = [world[0]!.from, world[1]!.to];
    await blacklist().setOverride({ accountId: x, action: 'include', reason: 'test', createdBy: 'test' });
    const v2 = (await publishOverride(s.rt.publishDeps(), 10_000)).version!;
    await blacklist().setOverride({ accountId: y, action: 'include', reason: 'test', createdBy: 'test' });
    const v3 = (await publishOverride(s.rt.publishDeps(), 10_000)).version!;
    await blacklist().deleteOverride(x);
    const v4 = (await publishOverride(s.rt.publishDeps(), 10_000)).version!;
    assert.deepEqual([v2, v3, v4], [v1 + 1, v1 + 2, v1 + 3]);
    const webhooks = createWebhookRepository(s.driver, s.config.neo4j);
    const hook = await webhooks.create({ url: 'http://127.0.0.1:9/hook', description: null, secret: 'x'.repeat(32), createdBy: 'test' });
    await webhooks.setAcked(hook.id, v2);

    // What the run will delete, computed here from the seeded data: transfers older than asOf − 40
    // days with neither end labelled, overridden or listed in the served version.
    const asOf = transfers.reduce((m, t) => Math.max(m, t.at), 0);
    const cutoff = asOf - 40 * DAY;
    const listed = new Set((await blacklist().entries(v4)).map((e) => e.accountId));
    const held = new Set([...listed, 'OLD-L', y]);
    const expected = transfers.filter((t) => t.at < cutoff && !held.has(t.from) && !held.has(t.to));
    const expectedHeld = transfers.filter((t) => t.at < cutoff && (held.has(t.from) || held.has(t.to)));
    assert.ok(expected.length > 100, `the data has old transfers to delete (${expected.length})`);
    assert.ok(expectedHeld.length >= 1);

    // The dry run counts exactly that and deletes nothing.
    const graphBefore = await countGraph(s.driver);
    const dry = await prune({ config: s.config, driver: s.driver }, { before: cutoff, keepVersions: 2, dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.deleted.transfers, expected.length);
    assert.equal(dry.held.transfers, expectedHeld.length);
    assert.deepEqual(dry.versionsDeleted, [v1]);
    assert.deepEqual(await countGraph(s.driver), graphBefore);

    // Before the first run that applies them, the worker's start-up warning says what it will delete.
    const warned: string[] = [];
    const capture = { warn: (_obj: unknown, line: string) => warned.push(line) } as unknown as Logger;
    const preview = await warnIfRetentionIsNew({ config: retaining, driver: s.driver, log: capture });
    assert.equal(preview?.dryRun, true);
    assert.equal(preview?.deleted.transfers, expected.length);
    assert.equal(warned.length, 1);
    assert.match(
      warned[0]!,
      /^RETENTION IS NEWLY ENABLED \(ACCTNET_RETAIN_TRANSFERS_DAYS=40, ACCTNET_RETAIN_VERSIONS=2\): the next successful run deletes nothing and announces it; the run after it will delete about \d+ transfers/,
    );
    assert.match(warned[0]!, /npx acctnet prune --dry-run --before \S+ --keep-versions 2/);
    assert.deepEqual(await countGraph(s.driver), graphBefore, 'the warning deletes nothing');

    // The first run with the settings announces them and deletes nothing: one run's time to unset
    // them, also for `recompute --wait` right after setting them.
    const announcing = await recompute(retaining);
    assert.equal(announcing.status, 'succeeded');
    const announced = announcing.retention;
    assert.ok(announced && !('error' in announced), JSON.stringify(announced));
    assert.equal(announced.announced, true);
    assert.equal(announced.dryRun, true);
    assert.equal(announced.deleted.transfers, expected.length, 'what the next run will delete');
    assert.match(
      announced.warning ?? '',
      /^RETENTION IS NEWLY ENABLED \(ACCTNET_RETAIN_TRANSFERS_DAYS=40, ACCTNET_RETAIN_VERSIONS=2\): this run deleted nothing; the next successful run will delete about \d+ transfers/,
    );
    assert.ok((await runs().get(announcing.runId))!.warnings.some((w) => w.startsWith('RETENTION IS NEWLY ENABLED')));
    assert.deepEqual(await countGraph(s.driver), graphBefore, 'the announcing run deletes nothing');
    assert.ok(await blacklist().get(v1), 'nor any version');
    // A worker started now says the next run deletes.
    warned.length = 0;
    await warnIfRetentionIsNew({ config: retaining, driver: s.driver, log: capture });
    assert.match(warned[0] ?? '', /a run announced them: the next successful run will delete about \d+ transfers/);

    // The run after it applies them.
    const oldFirstSeen = await firstSeen('OLD-A');
    assert.equal(oldFirstSeen, oldAt);
    const second = await recompute(retaining);
    assert.equal(second.status, 'succeeded');
    const retention = second.retention;
    assert.ok(retention && !('error' in retention), JSON.stringify(retention));
    assert.equal(retention.before, new Date(cutoff).toISOString());
    assert.equal(retention.deleted.transfers, expected.length);
    assert.equal(retention.held.transfers, expectedHeld.length);
    // Newest two are the run's version and v4; v3 and v2 stay for the webhook (acknowledged v2); v1 goes.
    assert.deepEqual(retention.versionsDeleted, [v1]);
    assert.equal(await blacklist().get(v1), null);
    assert.ok(await blacklist().get(v2));
    assert.ok(await blacklist().get(v3));
    assert.equal(retention.firstApplication, true);
    assert.match(retention.warning ?? '', /retention applied for the first time .*ACCTNET_RETAIN_TRANSFERS_DAYS=40/);

    const graphAfter = await countGraph(s.driver);
    assert.equal(graphAfter.transfers, graphBefore.transfers - expected.length);
    assert.equal(graphAfter.accounts, graphBefore.accounts, 'accounts stay (their first-seen time is history)');
    assert.equal(await transferExists('old-1'), false);
    assert.equal(await transferExists('old-2'), true, 'a labelled account keeps its transfers (legal hold)');

    // Recorded on the run and shown by the API.
    const stored = (await runs().get(second.runId))!;
    assert.equal((stored.retention as { deleted: { transfers: number } }).deleted.transfers, expected.length);
    assert.ok(stored.warnings.some((w) => w.startsWith('retention applied for the first time')));
    const res = await app.inject({ method: 'GET', url: `/v1/runs/${second.runId}`, headers: bearer(keys.investigator) });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { retention: { deleted: { transfers: number; versions: number } }; warnings: string[] };
    assert.equal(body.retention.deleted.transfers, expected.length);
    assert.equal(body.retention.deleted.versions, 1);

    // An old account that transacts again is not new: its first-seen time is kept.
    await writeIngestChunk(
      s.driver,
      s.config.neo4j,
      {
        batchId: 'later',
        seq: 0,
        rows: [
          {
            line: 0,
            fields: { tx_id: 'new-1', from_account: 'OLD-A', to_account: 'OLD-D', amount: '5.00', currency: 'USD', timestamp: asOf },
          },
        ],
        rejected: [],
      },
      validationRules(s.config),
    );
    assert.equal(await firstSeen('OLD-A'), oldAt);

    // The same settings again: applied, but no longer a first application (no new warning).
    const third = await recompute(retaining);
    const again = third.retention;
    assert.ok(again && !('error' in again));
    assert.equal(again.firstApplication, false);
    assert.equal(again.warning, null);
    assert.equal(again.deleted.transfers, 0);
    warned.length = 0;
    assert.equal(await warnIfRetentionIsNew({ config: retaining, driver: s.driver, log: capture }), null, 'settings already applied');
    assert.equal(warned.length, 0);
    // Turned off for a run and on again with the same values: announced again, not applied at once.
    const off = await recompute(s.config);
    assert.equal(off.retention, null);
    const state = await createRetentionRepository(s.driver, s.config.neo4j).state();
    assert.deepEqual([state?.transfersDays, state?.versions, state?.pending], [0, 0, false]);
    const back = await recompute(retaining);
    assert.ok(back.retention && !('error' in back.retention));
    assert.equal(back.retention.firstApplication, true, 'new again: nothing was left to delete, so it applies (deleting nothing)');
    assert.equal(back.retention.deleted.transfers, 0);
    await blacklist().deleteOverride(y);
  });
});
