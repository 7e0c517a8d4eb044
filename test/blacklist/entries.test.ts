// Score churn (ACCTNET_SCORE_CHURN_STEP): a score-only change smaller than the step is not a change
// gateways see; a larger one, or any change of cluster or reasons, is.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildBlacklist, diffBlacklists, keepServedScores, type BlacklistEntry } from '../../src/blacklist/entries.js';
import { loadConfig } from '../../src/config/index.js';

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
