// The recompute's load against the real Neo4j (src/runs/load.ts): an account created between the
// accounts read and the transfers read is read with its own id (never merged into an `undefined`
// node), the window is read through the TRANSFER(at) index when most of the store lies outside it,
// and the publication refuses a list entry without an account id.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import neo4j, { type Driver, type Transaction } from 'neo4j-driver';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { publishVersion } from '../../src/blacklist/publish.js';
import { cypher } from '../../src/neo4j/cypher.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { converter } from '../../src/runs/analysis-job.js';
import { loadWindow, readAccounts, type LoadOptions } from '../../src/runs/load.js';
import { seedTransfers } from '../helpers/seed.js';
import { openServices, wipeGraph, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function transfer(txId: string, from: string, to: string, at: number, amount = '10.00') {
  return { txId, from, to, amount, currency: 'USD', at, channel: 'app' };
}

describe('recompute load (real Neo4j)', () => {
  let s: TestServices;
  // The analysis thread's driver: integers as plain numbers (src/runs/analysis-job.ts).
  let analysisDriver: Driver;
  before(async () => {
    s = await openServices();
    analysisDriver = neo4j.driver(s.config.neo4j.uri, neo4j.auth.basic(s.config.neo4j.user, s.config.neo4j.password), {
      disableLosslessIntegers: true,
    });
  });
  after(async () => {
    await analysisDriver.close();
    await s.close();
  });
  beforeEach(async () => {
    await wipeGraph(s.driver);
  });

  const load = (from: number, to: number, opts: Partial<LoadOptions> = {}) => {
    const aggregator = new FlowAggregator({ from, to, bucketMs: 7 * DAY }, { holdMs: 48 * 3_600_000 });
    return loadWindow(analysisDriver, s.config, { from, to }, aggregator, { toBase: converter(s.config), ...opts }).then((r) => ({
      ...r,
      flows: aggregator.finish(),
    }));
  };

  test('accounts created between the accounts read and the transfers read keep their own ids', async () => {
    await seedTransfers(s.driver, s.config, [transfer('t1', 'A', 'B', T0), transfer('t2', 'B', 'C', T0 + 1000)]);
    const r = await load(T0 - 10 * DAY, T0 + 10 * DAY, {
      // A back-dated ingest commits while the run loads: two new accounts, one sending, one receiving.
      afterAccounts: async () => {
        await seedTransfers(s.driver, s.config, [transfer('t3', 'NEW-1', 'A', T0 + 2000), transfer('t4', 'C', 'NEW-2', T0 + 3000)], 'late');
      },
    });
    assert.equal(r.accountsLoaded, 3);
    assert.equal(r.lateAccounts, 2);
    assert.equal(r.unresolved, 0);
    assert.equal(r.transfersLoaded, 4);
    assert.deepEqual([...r.flows.ids].sort(), ['A', 'B', 'C', 'NEW-1', 'NEW-2']);
    for (const id of r.flows.ids) assert.equal(typeof id, 'string');
    // Each late account is its own node with its own transfer (not one merged `undefined` node).
    const i1 = r.flows.index.get('NEW-1')!;
    const i2 = r.flows.index.get('NEW-2')!;
    assert.equal(r.flows.outCount[i1], 1);
    assert.equal(r.flows.inCount[i1], 0);
    assert.equal(r.flows.inCount[i2], 1);
    assert.equal(r.flows.outCount[i2], 0);
    assert.equal(r.firstSeen.get('NEW-1'), T0 + 2000);
    assert.equal(r.flows.pairCount, 4);
  });

  test('the accounts read as parallel lists stay aligned: no first-seen time and no id are skipped, not shifted', async () => {
    await seedTransfers(s.driver, s.config, [
      transfer('t1', 'A', 'B', T0),
      transfer('t2', 'B', 'C', T0 + 1000),
      transfer('t3', 'C', 'D', T0 + 2000),
    ]);
    await s.driver.executeQuery("MATCH (a:Account {id: 'B'}) REMOVE a.firstSeenAt");
    await s.driver.executeQuery('CREATE (:Account {firstSeenAt: 1})');
    const session = analysisDriver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      const { names, firstSeen } = await session.executeRead((tx) => readAccounts(tx as unknown as Transaction));
      assert.deepEqual([...names.values()].sort(), ['A', 'B', 'C', 'D']);
      assert.deepEqual(Object.fromEntries([...firstSeen].sort()), { A: T0, C: T0 + 1000, D: T0 + 2000 });
      const byId = await s.driver.executeQuery('MATCH (a:Account) WHERE a.id IS NOT NULL RETURN a.id AS id, id(a) AS nid');
      for (const r of byId.records) assert.equal(names.get(Number(r.get('nid'))), r.get('id'));
    } finally {
      await session.close();
    }
  });

  test('the window is read through the TRANSFER(at) index when most transfers lie outside it', async () => {
    // 30 old transfers (a year before the window), 4 in it.
    const old = Array.from({ length: 30 }, (_, k) => transfer(`old${k}`, `O${k % 5}`, `O${(k + 1) % 5}`, T0 - 365 * DAY + k * 1000));
    const recent = Array.from({ length: 4 }, (_, k) => transfer(`new${k}`, `R${k}`, `R${k + 1}`, T0 + k * 1000));
    await seedTransfers(s.driver, s.config, [...old, ...recent]);
    const from = T0 - 30 * DAY;
    const to = T0 + DAY;
    const r = await load(from, to);
    assert.equal(r.plan, 'indexed');
    assert.equal(r.transfersLoaded, 4);
    assert.deepEqual([...r.flows.ids].sort(), ['R0', 'R1', 'R2', 'R3', 'R4']);
    // The plan seeks the index and touches only the window's transfers.
    const plan = (
      await s.driver.executeQuery(`PROFILE ${cypher('analysis/load-transfers-indexed')}`, {
        from: neo4j.int(from),
        to: neo4j.int(to),
        open: [],
      })
    ).summary.profile;
    assert.ok(plan);
    const profile = plan;
    const ops: Array<{ operatorType: string; rows: number }> = [];
    const walk = (p: typeof plan) => {
      ops.push({ operatorType: p.operatorType, rows: p.rows });
      p.children.forEach(walk);
    };
    walk(profile);
    const seek = ops.find((o) => o.operatorType.startsWith('DirectedRelationshipIndexSeekByRange'));
    assert.ok(seek, `no index seek in the plan: ${ops.map((o) => o.operatorType).join(', ')}`);
    assert.equal(seek.rows, 4);
    // With the whole store in the window, walking every account's transfers is the cheaper plan, and
    // both plans read the same transfers.
    const wide = await load(T0 - 400 * DAY, to);
    assert.equal(wide.plan, 'expand');
    assert.equal(wide.transfersLoaded, 34);
    const forced = await load(T0 - 400 * DAY, to, { plan: 'indexed' });
    assert.equal(forced.transfersLoaded, 34);
    assert.deepEqual([...forced.flows.ids].sort(), [...wide.flows.ids].sort());
    assert.equal(
      forced.flows.outAmount.reduce((a, b) => a + b, 0),
      wide.flows.outAmount.reduce((a, b) => a + b, 0),
    );
  });

  test('the publication refuses a list entry without an account id, and publishes nothing', async () => {
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const before = await blacklist.state();
    const versions = async () =>
      Number((await s.driver.executeQuery('MATCH (v:BlacklistVersion) RETURN count(v) AS n')).records[0]!.get('n'));
    const countBefore = await versions();
    let finished = false;
    await assert.rejects(
      publishVersion(
        { config: s.config, driver: s.driver, redis: s.rt.redis(), webhookQueue: s.rt.webhookQueue() },
        {
          source: 'recompute',
          run: { id: 'run-no-id', seq: 1, finish: async () => void (finished = true) },
          threshold: 0.5,
          candidates: [
            { accountId: 'A', clusterId: null, score: 0.9, reasons: ['LABELLED_FRAUD'] },
            { accountId: undefined as unknown as string, clusterId: null, score: 0.9, reasons: ['FUNDS_FROM_RISKY:90%'] },
          ],
        },
      ),
      /refusing to publish: 1 of 2 blacklist entries have no account id/,
    );
    assert.equal(finished, false);
    assert.equal(await versions(), countBefore);
    assert.deepEqual(await blacklist.state(), before);
  });
});
