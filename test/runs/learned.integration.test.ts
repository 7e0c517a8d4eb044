// The learned model through storage and the API (real Neo4j and Redis): the model card on the run
// record, learned explanations on served entries, the review list, and the kill switch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createBlacklistRepository } from '../../src/neo4j/repositories/blacklist.js';
import { bearer, buildTestApp, createKeys, type Keys } from '../helpers/app.js';
import { openAnalysedServices, type AnalysedServices } from '../helpers/analysed.js';

describe('learned model (real Neo4j and Redis)', () => {
  let s: AnalysedServices;
  let app: FastifyInstance;
  let keys: Keys;
  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(keys.investigator) });

  before(async () => {
    // A small world has few labels: the bar is lowered so the model trains.
    s = await openAnalysedServices({ ACCTNET_LEARNED_MIN_FRAUD_LABELS: '5' }, { accounts: 2500, seed: 11 });
    app = await buildTestApp(s);
    keys = await createKeys(s);
  });
  after(async () => {
    await app.close();
    await s.close();
  });

  test('the run record holds the model card; GET /v1/runs/:id shows it', async () => {
    assert.equal(s.run.model?.status, 'trained', JSON.stringify(s.run.model));
    const run = (await get(`/v1/runs/${s.run.runId}`)).json();
    assert.equal(run.model.status, 'trained');
    assert.equal(run.model.mode, 'on');
    assert.ok(run.model.labels.fraud >= 5);
    assert.equal(run.model.labels.sampled, 5 * run.model.labels.fraud - run.model.labels.legit);
    assert.equal(typeof run.model.rocAuc, 'number');
    assert.equal(run.model.grouping, 'cluster');
    assert.ok(run.model.topFeatures.length > 0);
    assert.deepEqual(Object.keys(run.model.labels.bySource.fraud), ['other']);
  });

  test('served entries not given as labels carry the learned explanation; the review list answers', async () => {
    const bl = createBlacklistRepository(s.driver, s.config.neo4j);
    const state = await bl.state();
    const entries = await bl.entries(state.servedVersion!);
    const explained = entries.filter((e) => e.reasons.some((r) => r.startsWith('LEARNED:')));
    assert.ok(explained.length > 0, 'some listed accounts are explained by the model');
    for (const e of explained)
      assert.ok(
        e.reasons.some((r) => !r.startsWith('LEARNED:') && !r.startsWith('ANOMALY:')),
        e.reasons.join(' | '),
      );
    const review = await get('/v1/review?limit=5');
    assert.equal(review.statusCode, 200);
    assert.equal(review.json().runId, s.run.runId);
    for (const item of review.json().items) assert.ok(item.score >= s.config.analysis.threshold);
  });

  test('ACCTNET_LEARNED=off: the kill switch leaves the rules alone and says so on the card', async () => {
    const off = await openAnalysedServices({ ACCTNET_LEARNED: 'off' }, { accounts: 800 });
    try {
      assert.equal(off.run.model?.status, 'off');
      const bl = createBlacklistRepository(off.driver, off.config.neo4j);
      const entries = await bl.entries((await bl.state()).servedVersion!);
      for (const e of entries) assert.ok(!e.reasons.some((r) => r.startsWith('LEARNED:')));
    } finally {
      await off.close();
    }
  });
});
