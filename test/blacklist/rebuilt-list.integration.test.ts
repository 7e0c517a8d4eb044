// A version rebuilt from a run's results (an investigator's override, an approval, a rollback) holds
// exactly the accounts the run listed — not an account the run left off although its score passed
// the threshold (the model alone on too little history, ACCTNET_REVIEW_MIN_TRANSFERS). A user trial
// found two such accounts published to every gateway by one unrelated include.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { publishOverride } from '../../src/blacklist/publish.js';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';

describe('a version rebuilt from a run (real Neo4j and Redis)', () => {
  let s: AnalysedServices;
  before(async () => {
    s = await openAnalysedServices({ ACCTNET_GUARD_MIN_SIZE: '100000' });
  });
  after(async () => {
    await s?.close();
  });

  test("an override's version is the run's list plus the override, nothing the run left off", async () => {
    const blacklist = createBlacklistRepository(s.driver, s.config.neo4j);
    const served = (await blacklist.state()).servedVersion!;
    const runId = (await blacklist.get(served))!.runId!;
    const listed = (await blacklist.entries(served)).map((e) => e.accountId).sort();
    assert.ok(listed.length > 0);
    // Every account the run stored at or above the threshold is flagged listed or not.
    const flags = await s.driver.executeQuery(
      'MATCH (r:AccountResult {runId: $runId}) WHERE r.listed IS NOT NULL RETURN r.accountId AS id, r.listed AS listed ORDER BY id',
      { runId },
    );
    assert.deepEqual(
      flags.records.filter((r) => r.get('listed') === true).map((r) => r.get('id') as string),
      listed,
      'the flag says what the run listed',
    );
    // An account the run scored above the threshold and left off the list (as it does for the model
    // alone on one or two transfers): its stored result says so.
    const thin = (
      await s.driver.executeQuery(
        'MATCH (r:AccountResult {runId: $runId}) WHERE r.listed IS NULL AND r.clusterId IS NULL RETURN r.accountId AS id ORDER BY id LIMIT 1',
        { runId },
      )
    ).records[0]!.get('id') as string;
    await s.driver.executeQuery(
      "MATCH (r:AccountResult {runId: $runId, accountId: $id}) SET r.score = 0.99, r.review = false, r.listed = false, r.reasons = ['NO_ORDINARY_ACTIVITY:no merchant spending or salary', 'LEARNED:0.99:…']",
      { runId, id: thin },
    );
    const include = listed.includes('OVR-1') ? 'OVR-2' : 'OVR-1';
    await blacklist.setOverride({ accountId: include, action: 'include', reason: 'test', createdBy: 'test' });
    try {
      const v = await publishOverride(s.rt.publishDeps(), 10_000);
      assert.equal(v.status, 'published');
      const now = (await blacklist.entries(v.version!)).map((e) => e.accountId).sort();
      assert.deepEqual(now, [...listed, include].sort(), 'the run list and the include, and no account the run left off');
      assert.ok(!now.includes(thin));
    } finally {
      await blacklist.deleteOverride(include);
    }
  });

  test('an override of an id with surrounding spaces or a control character is refused (400), as a label is', async () => {
    const { buildTestApp, createKeys, bearer } = await import('../helpers/app.js');
    const app = await buildTestApp(s);
    try {
      const keys = await createKeys(s);
      for (const accountId of [' AC0000001', 'AC0000001\t', 'AC\u00000001']) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/blacklist/overrides',
          payload: { accountId, action: 'include', reason: 'test' },
          headers: bearer(keys.investigator),
        });
        assert.equal(res.statusCode, 400, `${JSON.stringify(accountId)}: ${res.body}`);
        assert.equal(res.json().message, 'accountId has control characters or surrounding spaces');
      }
      assert.deepEqual(await createBlacklistRepository(s.driver, s.config.neo4j).overrides(), [], 'nothing stored');
    } finally {
      await app.close();
    }
  });
});
