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
    for (const e of explained) {
      assert.ok(
        e.reasons.some((r) => !r.startsWith('LEARNED:') && !r.startsWith('ANOMALY:')),
        e.reasons.join(' | '),
      );
      // The CSV list joins an entry's reasons with ';': the learned reason's features must not hold one.
      const learnedReason = e.reasons.find((r) => r.startsWith('LEARNED:'))!;
      assert.ok(!learnedReason.includes(';'), learnedReason);
      assert.match(learnedReason, /^LEARNED:[0-9.]+:[^|]+( \| [^|]+)*$/);
    }
    const review = await get('/v1/review?limit=5');
    assert.equal(review.statusCode, 200);
    assert.equal(review.json().runId, s.run.runId);
    assert.ok(review.json().items.length > 0, 'the review list has accounts here');
    for (const item of review.json().items) assert.ok(item.score >= s.config.analysis.threshold);
  });

  test('ACCTNET_LEARNED=off: the kill switch leaves the rules alone and says so on the card', async () => {
    const off = await openAnalysedServices({ ACCTNET_LEARNED: 'off' }, { accounts: 800 });
    try {
      assert.equal(off.run.model?.status, 'off');
      const bl = createBlacklistRepository(off.driver, off.config.neo4j);
      const entries = await bl.entries((await bl.state()).servedVersion!);
      assert.ok(entries.length > 0, 'the rules list accounts');
      for (const e of entries) assert.ok(!e.reasons.some((r) => r.startsWith('LEARNED:')));
      const offApp = await buildTestApp(off);
      try {
        const k = await createKeys(off);
        const r = await offApp.inject({ method: 'GET', url: `/v1/runs/${off.run.runId}/shadow`, headers: bearer(k.investigator) });
        assert.equal(r.statusCode, 404);
        assert.match(r.json().message, /no shadow list: it ran with ACCTNET_LEARNED=off/);
      } finally {
        await offApp.close();
      }
    } finally {
      await off.close();
    }
  });
  test("ACCTNET_LEARNED=shadow: the run serves the rules' list and shows which accounts the learned list would add and drop", async () => {
    const shadow = await openAnalysedServices(
      { ACCTNET_LEARNED: 'shadow', ACCTNET_LEARNED_MIN_FRAUD_LABELS: '5' },
      { accounts: 2500, seed: 11 },
    );
    const shadowApp = await buildTestApp(shadow);
    try {
      const k = await createKeys(shadow);
      const ask = async (url: string) => (await shadowApp.inject({ method: 'GET', url, headers: bearer(k.investigator) })).json();
      const card = shadow.run.model as { status: string; shadow?: { listed: number; added: number; removed: number } };
      assert.equal(card.status, 'trained');
      assert.ok(card.shadow, 'the card has the shadow list');
      assert.ok(
        card.shadow.added + card.shadow.removed > 0,
        `the learned list differs from the rules' one here (${JSON.stringify(card.shadow)})`,
      );
      const bl = createBlacklistRepository(shadow.driver, shadow.config.neo4j);
      const servedEntries = await bl.entries((await bl.state()).servedVersion!);
      assert.ok(servedEntries.length > 0, 'the rules list accounts');
      // The served list is the rules': no entry is there for, or explained by, the learned model.
      for (const e of servedEntries) assert.ok(!e.reasons.some((r) => r.startsWith('LEARNED:')), e.reasons.join(' | '));
      const served = new Set(servedEntries.map((e) => e.accountId));
      const collect = async (change: string) => {
        const out: Array<{ accountId: string; score: number; reasons: string[] }> = [];
        let cursor: string | null = null;
        do {
          const page = await ask(`/v1/runs/${shadow.run.runId}/shadow?change=${change}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
          out.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return out;
      };
      const added = await collect('added');
      const removed = await collect('removed');
      assert.equal(added.length, card.shadow.added);
      assert.equal(removed.length, card.shadow.removed);
      for (const e of added) {
        assert.ok(!served.has(e.accountId), `${e.accountId} would be added: it is not served`);
        assert.ok(e.score >= shadow.config.analysis.threshold);
      }
      for (const e of removed) assert.ok(served.has(e.accountId), `${e.accountId} would be dropped: it is served now`);
      for (let i = 1; i < added.length; i++) assert.ok(added[i - 1]!.score >= added[i]!.score, 'highest score first');
      if (added.length)
        assert.ok(
          added.some((e) => e.reasons.some((r) => r.startsWith('LEARNED:'))),
          'the learned explanation comes with them',
        );
    } finally {
      await shadowApp.close();
      await shadow.close();
    }
  });
});
