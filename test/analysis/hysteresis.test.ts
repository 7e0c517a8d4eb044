// The list's hysteresis (ACCTNET_LIST_RELEASE_MARGIN): fusion keeps an account a run listed before
// while its score stays at or above the release score, and the publication's build accepts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBlacklist, releaseScore, STILL_LISTED, withProvisional } from '../../src/analysis/blacklist.js';
import { fuseScores, type FusionInput } from '../../src/analysis/fusion.js';
import type { LearnedResult } from '../../src/analysis/learned.js';
import type { RiskResult } from '../../src/analysis/risk.js';
import { keepServedScores } from '../../src/blacklist/entries.js';
import { loadConfig } from '../../src/config/index.js';

// Five accounts on the rules' score (the learned model off), threshold 0.45.
//   a 0.60 with evidence, b 0.42 with evidence, c 0.60 without evidence, d 0.30 with evidence,
//   e 0.42 with evidence but labelled legit (a legit label caps the score, here at 0.42 to show the
//   label itself releases it).
const ids = ['a', 'b', 'c', 'd', 'e'];
function input(listedBefore: ReadonlySet<string> | undefined, releaseScore: number | null): FusionInput {
  const rules = {
    score: Float64Array.from([0.6, 0.42, 0.6, 0.3, 0.42]),
    reasons: [
      ['TYPOLOGY:ring'],
      ['FUNDS_FROM_RISKY:40% of inflow from risky accounts'],
      ['PASS_THROUGH:90%'],
      ['TYPOLOGY:ring'],
      ['TYPOLOGY:ring'],
    ],
  } as unknown as RiskResult;
  const learned = { score: null, card: { mode: 'off' }, model: null } as unknown as LearnedResult;
  return {
    ids,
    labels: new Map([['e', 'legit' as const]]),
    rules,
    learned,
    clusterOf: ids.map(() => null),
    forwardShare: new Float64Array(5).fill(0.5),
    ordinary: new Float64Array(5).fill(0.5),
    threshold: 0.45,
    modelOnlyThreshold: 1.01,
    releaseScore,
    listedBefore,
  };
}
const listed = (inp: FusionInput) => {
  const f = fuseScores(inp);
  return { ids: f.candidates.map((e) => e.accountId), review: f.review.map((e) => e.accountId), entries: f.candidates };
};

test("hysteresis off, or nothing listed before: the list is the run's own (score ≥ threshold with evidence)", () => {
  assert.deepEqual(listed(input(undefined, 0.4)).ids, ['a']);
  assert.deepEqual(listed(input(new Set(ids), null)).ids, ['a']);
  assert.deepEqual(listed(input(new Set(ids), null)).review, ['c']);
});

test('an account listed before stays (STILL_LISTED) at or above the release score, evidence or not; a legit label releases it', () => {
  const r = listed(input(new Set(['a', 'b', 'c', 'd', 'e']), 0.4));
  assert.deepEqual(r.ids, ['a', 'b', 'c'], 'd is below the release score, e is labelled legit');
  assert.deepEqual(r.review, []);
  const byId = new Map(r.entries.map((e) => [e.accountId, e]));
  assert.deepEqual(byId.get('a')!.reasons, ['TYPOLOGY:ring'], 'listed on its own merit: no STILL_LISTED');
  assert.deepEqual(byId.get('b')!.reasons.at(-1), STILL_LISTED);
  assert.deepEqual(byId.get('c')!.reasons.at(-1), STILL_LISTED);
  // Not listed before: b is simply below the threshold, c goes to review.
  const fresh = listed(input(new Set(['a']), 0.4));
  assert.deepEqual([fresh.ids, fresh.review], [['a'], ['c']]);
});

test('the publication keeps STILL_LISTED entries below the threshold; an exclude override still removes them', () => {
  const candidates = listed(input(new Set(ids), 0.4)).entries;
  assert.deepEqual(
    buildBlacklist(candidates, 0.45, []).map((e) => e.accountId),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    buildBlacklist(candidates, 0.45, [{ accountId: 'b', action: 'exclude', reason: 'cleared' }]).map((e) => e.accountId),
    ['a', 'c'],
  );
  // Without the reason an entry below the threshold is not listed (the build's own check).
  assert.deepEqual(buildBlacklist([{ accountId: 'x', clusterId: null, score: 0.42, reasons: ['TYPOLOGY:ring'] }], 0.45, []), []);
});

test('gaining or losing STILL_LISTED alone, within the score step, is not a change for gateways', () => {
  const served = [{ accountId: 'b', clusterId: null, score: 0.47, reasons: ['TYPOLOGY:ring'] }];
  const held = [{ accountId: 'b', clusterId: null, score: 0.44, reasons: ['TYPOLOGY:ring', STILL_LISTED] }];
  assert.deepEqual(keepServedScores(held, served, 0.05), served, 'the served entry stands');
  assert.deepEqual(keepServedScores(served, held, 0.05), held, 'and back');
  // A move of the step or more, or evidence lost, is sent.
  const far = [{ accountId: 'b', clusterId: null, score: 0.41, reasons: ['TYPOLOGY:ring', STILL_LISTED] }];
  assert.deepEqual(keepServedScores(far, served, 0.05), far);
  const lost = [{ accountId: 'b', clusterId: null, score: 0.46, reasons: [STILL_LISTED] }];
  assert.deepEqual(keepServedScores(lost, served, 0.05), lost);
});

test('a provisional successor the served list holds stays at or above the release score; a new one needs the threshold', () => {
  const a = { accountId: 'A', clusterId: null, score: 0.44, reasons: ['TYPOLOGY:ring', STILL_LISTED] };
  const links = [{ from: 'A', to: 'S', score: 0.97 }]; // list score 0.427
  const listed = (served: string[], release: number | null) =>
    withProvisional([a], links, [], 3, 0.45, { served: new Set(served), release }).map((e) => e.accountId);
  assert.deepEqual(listed(['S'], 0.4), ['A', 'S']);
  assert.deepEqual(listed([], 0.4), ['A'], 'not listed before: the threshold');
  assert.deepEqual(listed(['S'], null), ['A'], 'hysteresis off');
  assert.deepEqual(listed(['S'], 0.43), ['A'], 'below the release score');
});

test('the release score: threshold − margin, null when off; a margin not below the threshold is a configuration error', () => {
  assert.equal(releaseScore(0.45, 0.05), 0.4);
  assert.equal(releaseScore(0.45, null), null);
  assert.equal(loadConfig({ ACCTNET_LIST_RELEASE_MARGIN: 'off' }).analysis.listReleaseMargin, null);
  assert.equal(loadConfig({}).analysis.listReleaseMargin, 0.05);
  assert.throws(
    () => loadConfig({ ACCTNET_LIST_RELEASE_MARGIN: '0.45' }),
    /ACCTNET_LIST_RELEASE_MARGIN \(0.45\) is not below ACCTNET_BLACKLIST_THRESHOLD/,
  );
  assert.throws(
    () => loadConfig({ ACCTNET_LIST_RELEASE_MARGIN: 'soon' }),
    /ACCTNET_LIST_RELEASE_MARGIN="soon": expected off or a number 0..1/,
  );
});
