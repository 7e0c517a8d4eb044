// Provisional successors on the list, and the pieces of the scorer the watch shares with runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVISIONAL_REASON, withProvisional, type BlacklistEntry } from '../../src/analysis/blacklist.js';
import {
  CLUSTER_TERM_PIVOT,
  CLUSTER_TERM_WEIGHT,
  clusterShare,
  SUCCESSOR_TERM_WEIGHT,
  successorShare,
  listedFallAt,
  profileSimilarity,
  scoreMigration,
  takenOver,
  type PairInputs,
} from '../../src/analysis/migration.js';
import { alignProfiles, hubThresholdOf, profileFromTransfers } from '../../src/watch/watch-set.js';
import { loadConfig } from '../../src/config/index.js';
import { candidateFrom, riseInput, riseOf, recentSpanMs } from '../../src/watch/successor-watch.js';

const DAY = 86_400_000;
const entry = (accountId: string, score: number, reasons = ['LABELLED_FRAUD']): BlacklistEntry => ({
  accountId,
  clusterId: 'C000001',
  score,
  reasons,
});

test("a provisional successor enters with its predecessor's score × the link score, while the predecessor is listed", () => {
  const list = withProvisional([entry('A', 0.9)], [{ from: 'A', to: 'S', score: 0.8 }], [], 3);
  assert.deepEqual(
    list.find((e) => e.accountId === 'S'),
    {
      accountId: 'S',
      clusterId: null,
      score: 0.72,
      reasons: ['MIGRATED_FROM:A:0.8', PROVISIONAL_REASON],
    },
  );
  assert.deepEqual(
    withProvisional([entry('B', 1)], [{ from: 'A', to: 'S', score: 0.8 }], [], 3).map((e) => e.accountId),
    ['B'],
  );
});

test('an exclude override and an entry the list already has win over a provisional one', () => {
  const excluded = withProvisional(
    [entry('A', 1)],
    [{ from: 'A', to: 'S', score: 0.8 }],
    [{ accountId: 'S', action: 'exclude', reason: 'x' }],
    3,
  );
  assert.deepEqual(
    excluded.map((e) => e.accountId),
    ['A'],
  );
  const run = entry('S', 0.5, ['FUNDS_FROM_RISKY:0.5']);
  const kept = withProvisional([entry('A', 1), run], [{ from: 'A', to: 'S', score: 0.9 }], [], 3);
  assert.deepEqual(
    kept.find((e) => e.accountId === 'S'),
    run,
  );
});

test('chains are followed to the configured depth', () => {
  const chain = [
    { from: 'A', to: 'S1', score: 0.9 },
    { from: 'S1', to: 'S2', score: 0.9 },
    { from: 'S2', to: 'S3', score: 0.9 },
  ];
  assert.deepEqual(
    withProvisional([entry('A', 1)], chain, [], 2).map((e) => e.accountId),
    ['A', 'S1', 'S2'],
  );
  const three = withProvisional([entry('A', 1)], chain, [], 3);
  assert.equal(three.find((e) => e.accountId === 'S3')!.score, 0.729);
});

test('taken over, not shared: the old relation must have ended before the new one began', () => {
  const rise = 10 * DAY;
  assert.equal(takenOver(9 * DAY, 11 * DAY, rise - DAY), true);
  assert.equal(takenOver(12.5 * DAY, 11 * DAY, rise - DAY), true, 'two days of overlap are allowed');
  assert.equal(takenOver(14 * DAY, 11 * DAY, rise - DAY), false, 'side by side');
  assert.equal(takenOver(-Infinity, 5 * DAY, rise - DAY), false, 'began before the rise');
});

test("channels named like Object.prototype's properties are counted like any other, also after a round trip through JSON", () => {
  const toBase = (minor: number) => minor / 100;
  const sent = (channel: string) => [{ at: Date.UTC(2026, 0, 1, 18), amount: 3500, currency: 'USD', channel }];
  for (const channel of ['constructor', '__proto__', 'toString']) {
    const a = profileFromTransfers(sent(channel), toBase);
    assert.deepEqual(Object.entries(a.channels), [[channel, 1]]);
    const stored = JSON.parse(JSON.stringify(a)) as typeof a; // as the watch set keeps it in Redis
    const other = JSON.parse(JSON.stringify(profileFromTransfers(sent('p2p'), toBase))) as typeof a;
    const [pa, pb] = alignProfiles(stored, other);
    assert.ok(
      [...Array.from(pa.channels), ...Array.from(pb.channels)].every((x) => typeof x === 'number' && Number.isFinite(x)),
      `${channel}: ${pa.channels} / ${pb.channels}`,
    );
    const [same] = alignProfiles(stored, stored);
    assert.equal(Math.round(profileSimilarity(same, same) * 1e9) / 1e9, 1);
  }
});

test('profiles built from stored transfers compare like the analysis arrays, whatever the channel order', () => {
  const toBase = (minor: number) => minor / 100;
  const a = profileFromTransfers(
    [
      { at: Date.UTC(2026, 0, 1, 18), amount: 3500, currency: 'USD', channel: 'p2p' },
      { at: Date.UTC(2026, 0, 2, 12), amount: 3000, currency: 'USD', channel: 'card' },
    ],
    toBase,
  );
  const b = profileFromTransfers(
    [
      { at: Date.UTC(2026, 0, 5, 12), amount: 3000, currency: 'USD', channel: 'card' },
      { at: Date.UTC(2026, 0, 6, 18), amount: 3500, currency: 'USD', channel: 'p2p' },
    ],
    toBase,
  );
  const [pa, pb] = alignProfiles(a, b);
  assert.equal(Math.round(profileSimilarity(pa, pb) * 1e9) / 1e9, 1);
  // The same as the analysis' arrays with its own channel order (card first).
  const hours = new Array(24).fill(0);
  hours[12] = 1;
  hours[18] = 1;
  const mean = (Math.log(35) + Math.log(30)) / 2;
  assert.equal(
    profileSimilarity(pa, pb),
    profileSimilarity(
      { hours, channels: [1, 1, 0, 0, 0, 0, 0, 0], logAmountMean: mean },
      { hours, channels: [1, 1, 0, 0, 0, 0, 0, 0], logAmountMean: mean },
    ),
  );
});

/** A pair's score inputs: A listed at 0, S new a day later, nothing taken over; tests override what they vary. */
const pairInputs = (over: Partial<PairInputs> = {}): PairInputs => ({
  from: 'A',
  to: 'S',
  fall: { at: 0, kind: 'listed' },
  rise: { at: DAY, kind: 'new' },
  formerCounterparties: 4,
  formerWeight: 2,
  shared: [],
  directTransfers: 0,
  profileSimilarity: 0.9,
  successorCounterparties: [],
  successorWeight: 0,
  sameCluster: false,
  ...over,
});

test('the score needs evidence: no shared counterparty and no money from A is no link', () => {
  const base = pairInputs();
  assert.equal(scoreMigration({ ...base, shared: [] }), undefined);
  const two = scoreMigration({
    ...base,
    shared: [
      { id: 'C1', weight: 0.5 },
      { id: 'C2', weight: 0.5 },
    ],
  })!;
  const four = scoreMigration({ ...base, shared: ['C1', 'C2', 'C3', 'C4'].map((id) => ({ id, weight: 0.5 })) })!;
  assert.ok(four.score > two.score, `${four.score} > ${two.score}`);
  assert.equal(four.evidence.counterpartyOverlap, 1);
  assert.equal(four.evidence.fallKind, 'listed');
});

test("the cluster substitute: the share of the successor's counterparties in the predecessor's cluster lifts or lowers a link that has evidence", () => {
  const base = {
    from: 'A',
    to: 'S',
    fall: { at: 0, kind: 'listed' as const },
    rise: { at: DAY, kind: 'new' as const },
    formerCounterparties: 4,
    formerWeight: 2,
    shared: [{ id: 'C1', weight: 0.5 }],
    directTransfers: 0,
    profileSimilarity: 0.6,
    successorWeight: 1,
    sameCluster: false,
  };
  const cps = (inside: boolean[]) => inside.map((inCluster, k) => ({ id: `C${k + 1}`, weight: k === 0 ? 0.5 : 0.25, inCluster }));
  assert.equal(clusterShare([]), 0);
  assert.equal(clusterShare(cps([true, false, false])), 0.5, 'weighted: 0.5 of 1');
  assert.equal(clusterShare(cps([false, true, true])), 0.5);
  assert.equal(clusterShare(cps([true, true, true])), 1);
  // At the pivot the term is neutral: the score of the other terms alone.
  const unknown = scoreMigration({
    ...base,
    successorCounterparties: [
      { id: 'C1', weight: 1, inCluster: true },
      { id: 'C2', weight: 3, inCluster: false },
    ],
  })!;
  const none = scoreMigration({ ...base, successorCounterparties: cps([false, false, false]) })!;
  const pivot = scoreMigration({
    ...base,
    successorCounterparties: [
      { id: 'C1', weight: 1, inCluster: true },
      { id: 'C2', weight: 3, inCluster: false },
    ],
  })!;
  const half = scoreMigration({ ...base, successorCounterparties: cps([true, false, false]) })!;
  const all = scoreMigration({ ...base, successorCounterparties: cps([true, true, true]) })!;
  assert.equal(pivot.score, unknown.score);
  assert.ok(
    none.score < unknown.score && unknown.score < half.score && half.score < all.score,
    `${none.score} < ${unknown.score} < ${half.score} < ${all.score}`,
  );
  // The remainder the other terms leave, times 1 − weight · (share − pivot).
  const rest = 1 - unknown.score;
  assert.ok(Math.abs(1 - all.score - rest * (1 - CLUSTER_TERM_WEIGHT * (1 - CLUSTER_TERM_PIVOT))) < 0.002, `${all.score}`);
  assert.ok(Math.abs(1 - none.score - rest * (1 + CLUSTER_TERM_WEIGHT * CLUSTER_TERM_PIVOT)) < 0.002, `${none.score}`);
  assert.equal(all.evidence.clusterShare, 1);
  assert.equal(half.evidence.clusterShare, 0.5);
  assert.equal(none.evidence.clusterShare, 0);
  // It weighs evidence, it is none: no shared counterparty and no money from A is still no link.
  assert.equal(scoreMigration({ ...base, shared: [], successorCounterparties: cps([true, true, true]) }), undefined);
});

test("the successor share: how much of the successor's own relations are the predecessor's, counted from two taken over", () => {
  // A had 20 counterparties; S took two of them over.
  const base = pairInputs({
    formerCounterparties: 20,
    formerWeight: 10,
    shared: [
      { id: 'C1', weight: 0.5 },
      { id: 'C2', weight: 0.5 },
    ],
    profileSimilarity: 0.5,
  });
  // S deals with C1 and C2 only (A itself is not counted), or with them and 3 strangers of weight 1.
  const onlyA = scoreMigration({ ...base, successorWeight: 1 })!;
  const mixed = scoreMigration({ ...base, successorWeight: 4 })!;
  const unknown = scoreMigration({ ...base, successorWeight: 0 })!;
  assert.equal(onlyA.evidence.successorShare, 1);
  assert.equal(mixed.evidence.successorShare, 0.25);
  assert.equal(unknown.evidence.successorShare, 0, 'no counterparty weight known: no share');
  assert.ok(onlyA.score > mixed.score && mixed.score > unknown.score, `${onlyA.score} > ${mixed.score} > ${unknown.score}`);
  // The remainder the other terms leave, times 1 − weight · share.
  const rest = 1 - unknown.score;
  assert.ok(Math.abs(1 - onlyA.score - rest * (1 - SUCCESSOR_TERM_WEIGHT)) < 0.002, `${onlyA.score}`);
  assert.ok(Math.abs(1 - mixed.score - rest * (1 - SUCCESSOR_TERM_WEIGHT * 0.25)) < 0.002, `${mixed.score}`);
  // One counterparty taken over can be chance: no share, whatever S's other relations.
  const one = { ...base, shared: [{ id: 'C1', weight: 0.5 }] };
  assert.equal(successorShare({ ...one, successorWeight: 0.5 }), 0);
  assert.equal(scoreMigration({ ...one, successorWeight: 0.5 })!.score, scoreMigration({ ...one, successorWeight: 0 })!.score);
  // Weights above the successor's total (a counterparty counted on one side only) cap at 1.
  assert.equal(successorShare({ ...base, successorWeight: 0.4 }), 1);
});

test('a listed account that carried on after its listing falls at its last transfer once silent, so its successor is not scored as late', () => {
  const listed = 100 * DAY;
  const asOf = listed + 22 * DAY;
  assert.equal(listedFallAt(listed, null, asOf, 1), listed);
  assert.equal(listedFallAt(listed, listed - 3 * DAY, asOf, 1), listed, 'quiet before its listing: it fell when listed');
  assert.equal(listedFallAt(listed, listed + 20 * DAY, asOf, 1), listed + 20 * DAY, 'active for 20 more days, silent for 2: it fell then');
  assert.equal(listedFallAt(listed, listed + 20 * DAY, listed + 20.5 * DAY, 1), undefined, 'silent for half a day: still trading');
  assert.equal(listedFallAt(listed, listed + 20 * DAY, listed + 21 * DAY, 1), listed + 20 * DAY, 'silent for exactly the quiet time');
  // The successor opens 2 days after the last transfer: 22 days after the listing.
  const pair = (fallAt: number) =>
    scoreMigration({
      from: 'A',
      to: 'S',
      fall: { at: fallAt, kind: 'listed' },
      rise: { at: listed + 22 * DAY, kind: 'new' },
      formerCounterparties: 3,
      formerWeight: 1.5,
      shared: ['C1', 'C2', 'C3'].map((id) => ({ id, weight: 0.5 })),
      directTransfers: 0,
      profileSimilarity: 0.5,
      successorCounterparties: [],
      successorWeight: 0,
      sameCluster: false,
    })!;
  const atLast = pair(listedFallAt(listed, listed + 20 * DAY, asOf, 1)!);
  const atListing = pair(listed);
  assert.equal(atLast.evidence.gapDays, 2);
  assert.ok(atLast.score >= 0.75 && atListing.score < 0.75, `${atLast.score} vs ${atListing.score} (timing 22 days late)`);
});

test("a candidate's relations, activity and sent transfers come from one read of its transfers, in any order", () => {
  const now = 100 * DAY;
  const t = (c: string, out: boolean, day: number, amount = 1000) => ({
    c,
    out,
    at: day * DAY,
    amount,
    currency: 'EUR',
    channel: out ? 'p2p' : null,
  });
  const rows = [t('X', true, 90), t('Y', false, 50), t('X', true, 60, 500), t('X', false, 95), t('Y', false, 80), t('Z', true, 99, 700)];
  const a = candidateFrom('S', 40 * DAY, rows, now, 28 * DAY);
  const b = candidateFrom('S', 40 * DAY, [...rows].reverse(), now, 28 * DAY);
  const byKey = (c: typeof a) => Object.fromEntries(c.relations.map((r) => [`${r.dir}:${r.id}`, r]));
  assert.deepEqual(byKey(a), {
    'out:X': { id: 'X', dir: 'out', first: 60 * DAY, last: 90 * DAY, n: 2 },
    'in:Y': { id: 'Y', dir: 'in', first: 50 * DAY, last: 80 * DAY, n: 2 },
    'in:X': { id: 'X', dir: 'in', first: 95 * DAY, last: 95 * DAY, n: 1 },
    'out:Z': { id: 'Z', dir: 'out', first: 99 * DAY, last: 99 * DAY, n: 1 },
  });
  assert.deepEqual(byKey(b), byKey(a));
  // The recent part is the last 28 days before now (day 72 on): days 80, 90, 95, 99.
  assert.equal(a.recent, 4);
  assert.equal(a.earlier, 2);
  assert.deepEqual(
    a.sent.map((x) => [x.at / DAY, x.amount, x.channel]),
    [
      [60, 500, 'p2p'],
      [90, 1000, 'p2p'],
      [99, 700, 'p2p'],
    ],
  );
  assert.deepEqual(b.sent, a.sent);
  assert.equal(a.firstSeenAt, 40 * DAY);
});

test("hubs for the watch: the served run's threshold, else ACCTNET_HUB_MIN_DEGREE", () => {
  const config = loadConfig({ ACCTNET_HUB_MIN_DEGREE: '150' });
  assert.equal(hubThresholdOf({ hubs: 3, hubThreshold: 240 }, config), 240, "20× the run's median degree was above the setting");
  assert.equal(hubThresholdOf({ hubs: 3 }, config), 150, 'a run recorded before the threshold was');
  assert.equal(hubThresholdOf(null, config), 150, 'no run');
});

test('a provisional entry below the list threshold is not listed: a run confirming its link would take it off again', () => {
  const listed = withProvisional([entry('A', 0.8)], [{ from: 'A', to: 'S', score: 0.55 }], [], 3, 0.45);
  assert.deepEqual(
    listed.map((e) => e.accountId),
    ['A'],
    '0.8 × 0.55 = 0.44 < 0.45',
  );
  const above = withProvisional([entry('A', 0.9)], [{ from: 'A', to: 'S', score: 0.55 }], [], 3, 0.45);
  assert.deepEqual(
    above.map((e) => [e.accountId, e.score]),
    [
      ['A', 0.9],
      ['S', 0.495],
    ],
  );
});

test('the watch judges a surge per activity bucket of ACCTNET_BUCKET_DAYS, as runs do', () => {
  const now = 200 * DAY;
  const t = (c: string, day: number) => ({ c, out: true, at: day * DAY, amount: 1000, currency: 'EUR', channel: 'p2p' });
  // Trading since day 100 (not young), then one transfer a day over days 181–196.
  const steady = [t('A', 100), t('B', 120), ...Array.from({ length: 16 }, (_, k) => t(`C${k}`, 181 + k))];
  // The same start, then 14 transfers in the last three days.
  const burst = [t('A', 100), t('B', 120), ...Array.from({ length: 14 }, (_, k) => t(`D${k}`, 197 + (k % 3)))];
  const rise = (rows: ReturnType<typeof t>[], bucketDays: string) => {
    const config = loadConfig({ ACCTNET_BUCKET_DAYS: bucketDays });
    const c = candidateFrom('S', 100 * DAY, rows, now, recentSpanMs(config));
    return riseOf(riseInput(c), now, 1000, config);
  };
  // Weekly buckets (the default): the last four weeks hold 16 transfers, 4 a week, none before → a surge.
  assert.equal(recentSpanMs(loadConfig({})), 28 * DAY);
  assert.deepEqual(rise(steady, '7'), { at: now - 28 * DAY, kind: 'surge' });
  // Daily buckets: the last four days hold one of them (0.25 a day): no surge; 14 in three days is one.
  assert.equal(rise(steady, '1'), null);
  assert.deepEqual(rise(burst, '1'), { at: now - 4 * DAY, kind: 'surge' });
  // Buckets so wide that the window holds fewer than eight (180 days of 45): no earlier rate to surge
  // from, and runs judge no surge at all (detectRise) — neither does the watch.
  assert.equal(rise(steady, '45'), null);
  // A young account rises whatever the buckets (first transfer within ACCTNET_WATCH_YOUNG_DAYS).
  const young = [t('A', 190), t('B', 195)];
  assert.equal(
    riseOf(riseInput(candidateFrom('S', 190 * DAY, young, now, 4 * DAY)), now, 1000, loadConfig({ ACCTNET_BUCKET_DAYS: '1' }))?.kind,
    'new',
  );
});
