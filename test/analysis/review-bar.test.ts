// ACCTNET_REVIEW_MIN_TRANSFERS: the model alone (no evidence of another kind) reviews or lists an
// account only when it made enough transfers in the window to be judged by.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseScores, type FusionInput } from '../../src/analysis/fusion.js';
import type { LearnedResult } from '../../src/analysis/learned.js';
import type { RiskResult } from '../../src/analysis/risk.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';

// The rules' score (the learned model off), threshold 0.45:
//   thin   0.60, model-like reason only, 2 transfers;  enough 0.60, the same, 3 transfers;
//   ring   0.60 with evidence, 1 transfer;             low    0.30, 50 transfers.
const ids = ['thin', 'enough', 'ring', 'low'];
function input(o: Partial<FusionInput> = {}): FusionInput {
  const rules = {
    score: Float64Array.from([0.6, 0.6, 0.6, 0.3]),
    reasons: [['PASS_THROUGH:90%'], ['PASS_THROUGH:90%'], ['TYPOLOGY:ring'], ['PASS_THROUGH:90%']],
  } as unknown as RiskResult;
  return {
    ids,
    labels: new Map(),
    rules,
    learned: { score: null, card: { mode: 'off' }, model: null } as unknown as LearnedResult,
    clusterOf: ids.map(() => null),
    forwardShare: new Float64Array(4).fill(0.5),
    ordinary: new Float64Array(4).fill(0.5),
    threshold: 0.45,
    modelOnlyThreshold: 1.01,
    reviewMinTransfers: 3,
    inCount: [1, 2, 0, 25],
    outCount: [1, 1, 1, 25],
    ...o,
  };
}
const lists = (inp: FusionInput) => {
  const f = fuseScores(inp);
  return { listed: f.candidates.map((e) => e.accountId), review: f.review.map((e) => e.accountId) };
};

test('with fewer transfers than the bar the model alone neither reviews nor lists; evidence of another kind still lists', () => {
  assert.deepEqual(lists(input()), { listed: ['ring'], review: ['enough'] });
  // At the model-only bar the judged account is listed, the thin one still not.
  assert.deepEqual(lists(input({ modelOnlyThreshold: 0.5 })).listed, ['enough', 'ring']);
  // 0: no bar, as before the setting.
  assert.deepEqual(lists(input({ reviewMinTransfers: 0 })), { listed: ['ring'], review: ['enough', 'thin'] });
  assert.deepEqual(lists(input({ reviewMinTransfers: 4 })).review, []);
});

test('ACCTNET_REVIEW_MIN_TRANSFERS: default 3, 0 allowed, a negative or fractional value refused', () => {
  assert.equal(loadConfig({}).analysis.reviewMinTransfers, 3);
  assert.equal(loadConfig({ ACCTNET_REVIEW_MIN_TRANSFERS: '0' }).analysis.reviewMinTransfers, 0);
  assert.throws(() => loadConfig({ ACCTNET_REVIEW_MIN_TRANSFERS: '-1' }), /ACCTNET_REVIEW_MIN_TRANSFERS="-1"/);
  assert.throws(() => loadConfig({ ACCTNET_REVIEW_MIN_TRANSFERS: '2.5' }), /ACCTNET_REVIEW_MIN_TRANSFERS="2.5"/);
});

test('the setting reaches the run: the job passes ACCTNET_REVIEW_MIN_TRANSFERS to fusion', () => {
  const review = (env: NodeJS.ProcessEnv) =>
    lists(input({ reviewMinTransfers: analysisParams(loadConfig(env)).reviewMinTransfers })).review;
  assert.deepEqual(review({}), ['enough']);
  assert.deepEqual(review({ ACCTNET_REVIEW_MIN_TRANSFERS: '0' }), ['enough', 'thin']);
  assert.deepEqual(review({ ACCTNET_REVIEW_MIN_TRANSFERS: '4' }), []);
});
