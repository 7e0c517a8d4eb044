// One predecessor per successor (real Neo4j and Redis): a new account that takes over most of one
// watched account's counterparties and one counterparty of another is recorded as the first one's
// successor only, even when the ingest job touches only the other one's counterparty.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../src/config/index.js';
import { createLabelRepository } from '../../src/neo4j/repositories/labels.js';
import { createSuccessorRepository } from '../../src/neo4j/repositories/successors.js';
import { createSuccessorWatch } from '../../src/watch/successor-watch.js';
import { currentWatchSet } from '../../src/watch/watch-set.js';
import type { SyntheticTransfer } from '../../dev/synth/background.js';
import { testLogger } from '../helpers/env.js';
import { seedTransfers } from '../helpers/seed.js';
import { openServices, type TestServices } from '../helpers/services.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 3, 1);
let seq = 0;
const tx = (from: string, to: string, day: number, hour: number, amount = 40): SyntheticTransfer => ({
  txId: `op${seq++}`,
  from,
  to,
  amount: amount.toFixed(2),
  currency: 'USD',
  at: T0 + day * DAY + hour * HOUR + (seq % 30) * 1000,
  channel: 'p2p',
});
const life = (acct: string, partners: string[]) =>
  partners.flatMap((c, k) => [0, 1, 2, 3, 4].map((d) => (d % 2 ? tx(c, acct, k * 5 + d, 19, 45) : tx(acct, c, k * 5 + d, 18, 35))));

describe('one predecessor per successor (real Neo4j and Redis)', () => {
  let s: TestServices;
  let config: Config;

  before(async () => {
    s = await openServices();
    // OPA deals with OC1..OC4; OPB with OD1..OD4 and OC4 (shared with OPA). Both labelled fraud.
    await seedTransfers(s.driver, s.config, [
      ...life('OPA', ['OC1', 'OC2', 'OC3', 'OC4']),
      ...life('OPB', ['OD1', 'OD2', 'OD3', 'OC4', 'OD4']),
    ]);
    await createLabelRepository(s.driver, s.config.neo4j).append(
      ['OPA', 'OPB'].map((accountId) => ({ accountId, label: 'fraud' as const, note: null, source: 'test', createdBy: 'test' })),
    );
    // A low bar, so that both links would pass it: only the one-predecessor rule keeps OPB → OSS out.
    config = { ...s.config, watch: { ...s.config.watch, minScore: 0.05 } };
    assert.equal(await currentWatchSet({ config, driver: s.driver, redis: s.rt.redis() }), 0);
  });
  after(async () => {
    await s?.close();
  });

  test('the best predecessor is recorded, the other is not, whichever counterparty the job touches', async () => {
    const watch = createSuccessorWatch({ config, driver: s.driver, redis: s.rt.redis(), publish: s.rt.publishDeps(), log: testLogger() });
    const successors = createSuccessorRepository(s.driver, s.config.neo4j);
    // OSS takes over OC1..OC3 (OPA's) first…
    const first = ['OC1', 'OC2', 'OC3'].flatMap((c, j) => [tx('OSS', c, 27 + j, 18, 35), tx(c, 'OSS', 28 + j, 19, 45)]);
    await seedTransfers(s.driver, s.config, first, 'oss-1');
    const o1 = await watch.afterWrite(first);
    assert.equal(o1.provisional, 1);
    assert.ok(await successors.get('OPA', 'OSS'));
    // …then deals with OD1, a former counterparty of OPB only: the job touches nothing of OPA's.
    const second = [tx('OSS', 'OD1', 31, 18, 35), tx('OD1', 'OSS', 31, 19, 45)];
    await seedTransfers(s.driver, s.config, second, 'oss-2');
    const scoredB = await watch.explain('OPB', 'OSS', second[1]!.at);
    assert.ok(scoredB && scoredB.score >= config.watch.minScore, 'OPB → OSS alone would pass the bar');
    const o2 = await watch.afterWrite(second);
    assert.ok(o2.evaluated >= 2, 'OSS was scored against both predecessors');
    assert.equal(await successors.get('OPB', 'OSS'), null, 'the weaker predecessor is not recorded beside the best one');
    const a = await successors.get('OPA', 'OSS');
    assert.ok(a && a.score > scoredB.score, `${a?.score} > ${scoredB.score}`);
  });
});
