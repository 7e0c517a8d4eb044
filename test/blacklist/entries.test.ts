// Score churn (ACCTNET_SCORE_CHURN_STEP): a score-only change smaller than the step is not a change
// gateways see; a larger one, or any change of cluster or reasons, is.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { ANALYSIS_DEFAULTS, runAnalysis } from '../../src/analysis/pipeline.js';
import type { LabelValue } from '../../src/analysis/risk.js';
import { buildBlacklist, diffBlacklists, keepServedScores, reasonIdentity, type BlacklistEntry } from '../../src/blacklist/entries.js';
import { loadConfig } from '../../src/config/index.js';
import { createWorld } from '../../dev/synth/world.js';

const DAY = 86_400_000;

const entry = (accountId: string, score: number, clusterId: string | null = 'c1', reasons = ['FLOW']): BlacklistEntry => ({
  accountId,
  clusterId,
  score,
  reasons,
});

describe('score churn', () => {
  test('the step is configurable, 0.05 by default', () => {
    assert.equal(loadConfig({}).analysis.scoreChurnStep, 0.05);
    assert.equal(loadConfig({ ACCTNET_SCORE_CHURN_STEP: '0' }).analysis.scoreChurnStep, 0);
    assert.throws(() => loadConfig({ ACCTNET_SCORE_CHURN_STEP: '2' }), /ACCTNET_SCORE_CHURN_STEP/);
  });

  test('sub-step score changes keep the served score and are not in the diff; larger ones are', () => {
    const served = [entry('a', 0.6), entry('b', 0.7), entry('c', 0.8), entry('d', 0.9)];
    const rescored = buildBlacklist(
      [entry('a', 0.63), entry('b', 0.78), entry('c', 0.81, 'c2'), entry('d', 0.88, 'c1', ['FLOW', 'MIGRATED']), entry('e', 0.5)],
      0.45,
      [],
    );
    const next = keepServedScores(rescored, served, 0.05);
    assert.deepEqual(
      next.map((e) => [e.accountId, e.score]),
      [
        ['a', 0.6], // 0.03 below the step: the served score stays
        ['b', 0.78], // 0.08: a change
        ['c', 0.81], // another cluster: a change
        ['d', 0.88], // other reasons: a change
        ['e', 0.5], // new
      ],
    );
    const diff = diffBlacklists(served, next);
    assert.deepEqual(
      diff.added.map((e) => e.accountId),
      ['b', 'c', 'd', 'e'],
    );
    // Drift never hides: each version is compared with what gateways hold, not with the last raw score.
    const later = keepServedScores([entry('a', 0.66)], next, 0.05);
    assert.deepEqual(later, [entry('a', 0.66)]);
    // Step 0: every score change is a change.
    assert.deepEqual(keepServedScores(rescored, served, 0), rescored);
  });

  test("the reasons' figures are not evidence: a retrained model's LEARNED text, shares and link scores move without a change", () => {
    const learned = (score: number, top: string) => `LEARNED:${score}:${top}`;
    const served = [
      entry('a', 0.9, 'c1', ['FUNDS_FROM_RISKY:30% of inflow from risky accounts', learned(0.9, 'night share 23% (top 1%)'), 'ANOMALY:0.68:unlike its peers']),
      entry('b', 0.8, 'c1', ['MIGRATED_FROM:42:0.81', 'PROVISIONAL']),
      entry('c', 0.7, 'c1', ['MIGRATED_FROM:ns:A:7:0.7']),
      entry('d', 0.6, 'c1', ['TYPOLOGY:ring', 'CLUSTER_RISK:0.8']),
      entry('e', 1, 'c1', ['LABELLED_FRAUD', learned(0.8, 'x 1')]),
    ];
    const next = keepServedScores(
      [
        // Figures moved, the same evidence: kept exactly as served, reasons included.
        entry('a', 0.92, 'c1', [learned(0.92, 'velocity change -4.6'), 'FUNDS_FROM_RISKY:31% of inflow from risky accounts', 'ANOMALY:0.7:unlike its peers']),
        // Another predecessor (numeric ids), or the link confirmed (PROVISIONAL gone): changes.
        entry('b', 0.8, 'c1', ['MIGRATED_FROM:43:0.81', 'PROVISIONAL']),
        entry('c', 0.71, 'c1', ['MIGRATED_FROM:ns:A:7:0.71']),
        entry('d', 0.61, 'c1', ['TYPOLOGY:chain', 'CLUSTER_RISK:0.8']),
        entry('e', 1, 'c1', ['LABELLED_FRAUD', learned(0.94, 'y 2')]),
      ],
      served,
      0.05,
    );
    assert.deepEqual(next[0], served[0]);
    assert.deepEqual(next[1]!.reasons, ['MIGRATED_FROM:43:0.81', 'PROVISIONAL'], 'another account named: a change');
    assert.deepEqual(next[2], served[2], 'an id holding colons stays whole: the same account');
    assert.deepEqual(next[3]!.reasons, ['TYPOLOGY:chain', 'CLUSTER_RISK:0.8'], 'another shape: a change');
    assert.deepEqual(next[4], served[4], 'a labelled account at 1 whose LEARNED figure moved');
    assert.deepEqual(
      diffBlacklists(served, next).added.map((e) => e.accountId),
      ['b', 'd'],
    );
    // A reason gained or lost is a change.
    const lost = keepServedScores([entry('a', 0.9, 'c1', [learned(0.9, 'z'), 'ANOMALY:0.68:unlike its peers'])], served, 0.05);
    assert.notDeepEqual(lost[0], served[0]);
    assert.equal(reasonIdentity('MIGRATED_FROM:A7:0.83'), 'MIGRATED_FROM:A7');
    assert.equal(reasonIdentity('LABELLED_FRAUD'), 'LABELLED_FRAUD');
    assert.equal(reasonIdentity('SAME_AMOUNT_AS:A:7:2/14'), 'SAME_AMOUNT_AS:A:7', 'the group grows or gains labels: the same evidence');
    assert.equal(reasonIdentity('SAME_AMOUNT_COLLECTOR:A7:3/15'), 'SAME_AMOUNT_COLLECTOR:A7');
    assert.equal(reasonIdentity('COLLECTED_FROM:A7:2'), 'COLLECTED_FROM:A7');
    assert.equal(reasonIdentity('SOMETHING_NEW:0.5'), 'SOMETHING_NEW:0.5', 'an unknown code is compared whole');
  });

  test('two nightly runs of a seeded world with the learned model: entries whose score moved less than the step and whose evidence stayed are not in the diff', async () => {
    const w = createWorld({ seed: 5, accounts: 2500, activity: 0.7 });
    const transfers = [...w.transfers()];
    const fraud = w.truth
      .filter((a) => a.fraud)
      .map((a) => a.id)
      .sort();
    const labels = new Map<string, LabelValue>(fraud.filter((_, k) => k % 2 === 0).map((id) => [id, 'fraud']));
    const end = transfers.reduce((m, t) => Math.max(m, t.at), 0);
    const night = async (to: number) => {
      const agg = new FlowAggregator({ from: to - 180 * DAY + 1, to, bucketMs: 7 * DAY }, { holdMs: 48 * 3_600_000 });
      for (const t of transfers) if (t.at <= to) agg.add({ from: t.from, to: t.to, amount: Number(t.amount), at: t.at, channel: t.channel });
      const out = await runAnalysis({
        flows: agg.finish(),
        firstSeen: new Map(),
        labels,
        previousClusters: new Map(),
        nextClusterSeq: 1,
        params: { ...ANALYSIS_DEFAULTS, learned: { ...ANALYSIS_DEFAULTS.learned, minFraudLabels: 10 } },
      });
      assert.equal(out.model?.status, 'trained');
      return buildBlacklist(out.candidates, 0.45, []);
    };
    const served = await night(end - DAY);
    const raw = await night(end);
    const next = keepServedScores(raw, served, 0.05);
    const before = new Map(served.map((e) => [e.accountId, e]));
    // Entries a gateway would have been sent only because figures in their reasons moved.
    const figureOnly = raw.filter((e) => {
      const old = before.get(e.accountId);
      if (!old || old.clusterId !== e.clusterId || Math.abs(old.score - e.score) >= 0.05) return false;
      const ids = (r: string[]) => r.map(reasonIdentity).sort().join('|');
      return old.reasons.join('|') !== e.reasons.join('|') && ids(old.reasons) === ids(e.reasons);
    });
    assert.ok(figureOnly.length >= 3, `the fixture has entries whose reasons' figures moved (${figureOnly.length})`);
    const sent = new Set(diffBlacklists(served, next).added.map((e) => e.accountId));
    assert.deepEqual(
      figureOnly.filter((e) => sent.has(e.accountId)).map((e) => e.accountId),
      [],
      'none of them is in the diff',
    );
  });
});

test('spreadsheetCsv neutralises the id cell of every record, across chunk borders and quoted multi-line fields', async () => {
  const { spreadsheetCsv } = await import('../../src/blacklist/render.js');
  const chunks = ['account_id,cluster_id,score,reasons\n+44', '79,C1,0.5,A\n"=x,1",C2,0.6,"two\n-lines"\n@a,,0.7,B\nplain,,0.8,C'];
  async function* source() {
    yield* chunks;
  }
  let out = '';
  for await (const part of spreadsheetCsv(source())) out += part;
  assert.equal(
    out,
    'account_id,cluster_id,score,reasons\n\'+4479,C1,0.5,A\n"\'=x,1",C2,0.6,"two\n-lines"\n\'@a,,0.7,B\nplain,,0.8,C',
  );
});
