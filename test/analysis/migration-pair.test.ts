// batchPairInputs: the evidence a run scores for one fall and one rise, on a hand-made graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCentrality } from '../../src/analysis/centrality.js';
import { detectCommunities } from '../../src/analysis/communities.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { buildAccountGraph, pairOrder } from '../../src/analysis/graph.js';
import { findHubs } from '../../src/analysis/hubs.js';
import {
  batchPairInputs,
  CLUSTER_TERM_PIVOT,
  clusterShare,
  counterpartyWeight,
  detectMigrations,
  linkBar,
  MIGRATION_DEFAULTS,
  scoreMigration,
  timingTerm,
} from '../../src/analysis/migration.js';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/pipeline.js';
import { DAY, flowsOf, T0, type T } from './helpers.js';

/**
 * OLD deals with C1..C3 until day 60 and pays NEW once on day 60; NEW deals with C1 and C2 from day
 * 62. C3 deals with NEW too, but also with OLD until day 90: side by side, not taken over. Everyone
 * pays SHOP, a hub (120 customers).
 */
function world(c3WithOldUntil = 90): T[] {
  const tx: T[] = [];
  for (let d = 0; d < 120; d += 2) {
    const acct = d < 61 ? 'OLD' : d >= 62 ? 'NEW' : null;
    if (acct) {
      tx.push({ from: acct, to: 'C1', amount: 35, day: d, hour: 18 });
      tx.push({ from: 'C2', to: acct, amount: 40, day: d, hour: 19 });
      tx.push({ from: acct, to: 'SHOP', amount: 30, day: d, hour: 12, channel: 'card' });
    }
  }
  for (let d = 0; d < c3WithOldUntil; d += 3) tx.push({ from: 'C3', to: 'OLD', amount: 20, day: d, hour: 9 });
  for (let d = 70; d < 120; d += 3) tx.push({ from: 'C3', to: 'NEW', amount: 20, day: d, hour: 9 });
  tx.push({ from: 'OLD', to: 'NEW', amount: 900, day: 60, hour: 20 });
  for (let c = 0; c < 120; c++) tx.push({ from: `CUST${c}`, to: 'SHOP', amount: 25, day: c, hour: 15, channel: 'card' });
  return tx;
}

test('batchPairInputs: taken-over counterparties with their weights, money from A, the profile, the cluster', () => {
  const flows = flowsOf(world(), { days: 120 });
  const graph = buildAccountGraph(flows);
  const c = computeCentrality(graph, flows);
  const hubs = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
  const comm = detectCommunities(flows, hubs.isHub, { seed: 1 });
  const f = computeFeatures(flows, pairOrder(flows), c, hubs.isHub, new Map());
  const a = flows.index.get('OLD')!;
  const b = flows.index.get('NEW')!;
  assert.equal(hubs.isHub[flows.index.get('SHOP')!], 1, 'SHOP is a hub');
  const former = new Set(['C1', 'C2', 'C3', 'NEW']);
  const formerWeight = [...former].reduce((s, x) => s + counterpartyWeight(graph.degree(x)), 0);
  const fall = { at: T0 + 89 * DAY, kind: 'stopped' };
  const rise = { at: T0 + 60 * DAY + 20 * 3_600_000, kind: 'new' };
  const p = batchPairInputs(pairOrder(flows), flows, f, hubs.isHub, comm.community, a, b, fall, rise, former, formerWeight);
  assert.equal(p.from, 'OLD');
  assert.equal(p.to, 'NEW');
  // C1 and C2 moved (their relation with OLD ended before the one with NEW began); C3 did not.
  assert.deepEqual(p.shared.map((s) => s.id).sort(), ['C1', 'C2']);
  for (const s of p.shared) assert.equal(s.weight, counterpartyWeight(graph.degree(s.id)));
  assert.equal(graph.degree('C1'), 2, 'C1: OLD and NEW');
  assert.equal(p.formerCounterparties, 4);
  assert.equal(p.formerWeight, formerWeight);
  // The payment from OLD to NEW on day 60 is 29 days before a fall on day 89: not counted.
  assert.equal(p.directTransfers, 0);
  const p2 = batchPairInputs(
    pairOrder(flows),
    flows,
    f,
    hubs.isHub,
    comm.community,
    a,
    b,
    { ...fall, at: T0 + 61 * DAY },
    rise,
    former,
    formerWeight,
  );
  assert.equal(p2.directTransfers, 1, 'one payment from OLD to NEW within 14 days of a fall on day 61');
  assert.ok(p.profileSimilarity > 0.6 && p.profileSimilarity <= 1, `profile ${p.profileSimilarity}`);
  assert.equal(p.sameCluster, comm.community[a]! >= 0 && comm.community[a] === comm.community[b]);
  // The cluster substitute: NEW's non-hub counterparties (OLD included: it paid NEW) with their
  // weights, each in OLD's cluster or not; SHOP, a hub, is not one of them.
  const ca = comm.community[a]!;
  assert.ok(ca >= 0, 'OLD is in a cluster');
  const cps = p.successorCounterparties;
  assert.deepEqual(cps.map((x) => x.id).sort(), ['C1', 'C2', 'C3', 'OLD']);
  for (const x of cps) {
    assert.equal(x.weight, counterpartyWeight(graph.degree(x.id)), x.id);
    assert.equal(x.inCluster, comm.community[flows.index.get(x.id)!] === ca, x.id);
  }
  assert.equal(cps.find((x) => x.id === 'OLD')!.inCluster, true);
  const share = clusterShare(cps);
  assert.ok(share > CLUSTER_TERM_PIVOT, `share ${share}`);
  assert.equal(scoreMigration(p)!.evidence.clusterShare, Math.round(share * 1000) / 1000);
  // OLD in no cluster: nothing is in its cluster (share 0, the term's malus), and the share above
  // the pivot had lifted the score.
  const noCluster = Int32Array.from(comm.community);
  noCluster[a] = -1;
  const q = batchPairInputs(pairOrder(flows), flows, f, hubs.isHub, noCluster, a, b, fall, rise, former, formerWeight);
  assert.ok(q.successorCounterparties.length === 4 && q.successorCounterparties.every((x) => !x.inCluster));
  assert.equal(scoreMigration(q)!.evidence.clusterShare, 0);
  assert.ok(scoreMigration(p)!.score > scoreMigration(q)!.score, 'the share lifts the score');
  // The successor share's denominator: NEW's non-hub counterparties but OLD (C1, C2, C3), weighted
  // as the shared ones are; C1 and C2 of them were taken over.
  const expected = ['C1', 'C2', 'C3'].reduce((w, id) => w + counterpartyWeight(graph.degree(id)), 0);
  assert.ok(Math.abs(p.successorWeight - expected) < 1e-12, `${p.successorWeight} vs ${expected}`);
  const taken = p.shared.reduce((w, s) => w + s.weight, 0);
  assert.equal(scoreMigration(p)!.evidence.successorShare, Math.round((1000 * taken) / expected) / 1000);
});

test("a run's links are the scorer applied to batchPairInputs", () => {
  // C3 leaves OLD on day 58 (else OLD's fall is day 87 and NEW, risen on day 60, is too early).
  const flows = flowsOf(world(60), { days: 120 });
  const graph = buildAccountGraph(flows);
  const c = computeCentrality(graph, flows);
  const hubs = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
  const comm = detectCommunities(flows, hubs.isHub, { seed: 1 });
  const f = computeFeatures(flows, pairOrder(flows), c, hubs.isHub, new Map());
  const out = detectMigrations(flows, f, hubs.isHub, comm.community, { minScore: 0, minScoreOneCounterparty: 0 });
  for (const link of out.links) {
    const a = flows.index.get(link.from)!;
    const former = new Set<string>();
    graph.forEachNeighbor(link.from, (nb, attrs) => {
      if (!hubs.isHub[attrs.i]) former.add(nb);
    });
    const w = [...former].reduce((s, x) => s + counterpartyWeight(graph.degree(x)), 0);
    const again = scoreMigration(
      batchPairInputs(
        pairOrder(flows),
        flows,
        f,
        hubs.isHub,
        comm.community,
        a,
        flows.index.get(link.to)!,
        { at: link.fallAt, kind: link.evidence.fallKind },
        { at: link.riseAt, kind: link.evidence.riseKind },
        former,
        w,
      ),
    );
    assert.deepEqual(again, link);
  }
  assert.ok(
    out.links.some((l) => l.from === 'OLD' && l.to === 'NEW'),
    JSON.stringify(out.links.map((l) => [l.from, l.to])),
  );
});

test('timing: a rise before the fall loses 3% a day of overlap; a late rise loses 1/60 a day after a week; both floor at 0.6', () => {
  assert.equal(timingTerm(0), 1);
  assert.equal(timingTerm(7), 1);
  assert.ok(Math.abs(timingTerm(-2) - 0.94) < 1e-12);
  assert.ok(Math.abs(timingTerm(-7) - 0.79) < 1e-12);
  assert.equal(timingTerm(-30), 0.6);
  assert.ok(Math.abs(timingTerm(13) - 0.9) < 1e-12);
  assert.equal(timingTerm(60), 0.6);
  // Two predecessors with the same evidence: the one that stopped before the successor rose wins.
  const base = {
    to: 'S',
    rise: { at: 100 * DAY, kind: 'new' as const },
    formerCounterparties: 4,
    formerWeight: 2,
    shared: [
      { id: 'C1', weight: 0.5 },
      { id: 'C2', weight: 0.5 },
      { id: 'C3', weight: 0.5 },
    ],
    directTransfers: 0,
    profileSimilarity: 0.3,
    successorCounterparties: [],
    successorWeight: 0,
    sameCluster: false,
  };
  const stopped = scoreMigration({ ...base, from: 'A', fall: { at: 98 * DAY, kind: 'stopped' } })!;
  const running = scoreMigration({ ...base, from: 'B', fall: { at: 103 * DAY, kind: 'listed' } })!;
  assert.ok(stopped.score > running.score, `${stopped.score} vs ${running.score}`);
  assert.ok(Math.abs(running.score - 0.91 * stopped.score) <= 0.001, `${running.score} vs 0.91 × ${stopped.score}`);
});

test('a listed account still trading has not fallen: an account rising meanwhile is not its successor until it goes silent', () => {
  // A deals with C1..C3 from day 0 and is listed on day 100; S opens on day 114, takes C1 and C2
  // over and gets money from A; C3 stays with A until `aUntil`.
  const days = 120;
  const worldUntil = (aUntil: number): T[] => {
    const tx: T[] = [];
    for (let d = 0; d < days; d += 2) {
      const onC12 = d < 113 ? 'A' : d >= 114 ? 'S' : null;
      if (onC12) {
        tx.push({ from: onC12, to: 'C1', amount: 35, day: d, hour: 18 });
        tx.push({ from: 'C2', to: onC12, amount: 40, day: d, hour: 19 });
      }
    }
    for (let d = 0; d <= aUntil; d++) tx.push({ from: 'C3', to: 'A', amount: 20, day: d, hour: 9 });
    tx.push({ from: 'A', to: 'S', amount: 900, day: 114, hour: 20 });
    return tx;
  };
  const linksOf = (aUntil: number) => {
    const flows = flowsOf(worldUntil(aUntil), { days });
    const c = computeCentrality(buildAccountGraph(flows), flows);
    const hubs = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
    const comm = detectCommunities(flows, hubs.isHub, { seed: 1 });
    const f = computeFeatures(flows, pairOrder(flows), c, hubs.isHub, new Map());
    return detectMigrations(flows, f, hubs.isHub, comm.community, { minScore: 0 }, new Map([['A', T0 + 100 * DAY]])).links;
  };
  // Trading until the run (its last transfer on day 119 at 09:00, the run at the end of day 119):
  // before, its fall was that last transfer and S, risen 4.6 days earlier, was linked.
  assert.deepEqual(
    linksOf(days - 1).filter((l) => l.from === 'A'),
    [],
    'A still trades: no successor',
  );
  // Silent since day 116: it fell at its last transfer, and S (risen on day 114 at 18:00) is its successor.
  const after = linksOf(116).find((l) => l.from === 'A');
  assert.ok(after, 'A silent for a week: S is its successor');
  assert.equal(after.to, 'S');
  assert.equal(after.evidence.fallKind, 'listed');
  assert.equal(after.evidence.gapDays, -1.6);
});

test('a dropped account: its listing-only link is decided after the others, its other falls compete as before, and trading after its release it has not fallen', () => {
  // A and D each deal with four partners (A until day 110, D until `dUntil`), both listed on day
  // 100; S opens on day 114 and takes over two of A's partners and three of D's: D's link is the
  // stronger. `listed` says who has the listed fall, `dropped` which of them a later run dropped
  // (→ the data time of the run that dropped it).
  const days = 120;
  const linksOf = (dUntil: number, listed: string[], dropped: Map<string, number>) => {
    const tx: T[] = [];
    for (let d = 0; d < days; d += 2) {
      for (const [acct, cps, until] of [
        ['A', ['C1', 'C2', 'C3', 'C4'], 110],
        ['D', ['E1', 'E2', 'E3', 'E4'], dUntil],
      ] as const)
        for (const c of cps) {
          const who = d <= until ? acct : d >= 114 && ['C1', 'C2', 'E1', 'E2', 'E3'].includes(c) ? 'S' : null;
          if (who) tx.push({ from: who, to: c, amount: 35, day: d, hour: 18 }, { from: c, to: who, amount: 40, day: d, hour: 19 });
        }
    }
    const flows = flowsOf(tx, { days });
    const c = computeCentrality(buildAccountGraph(flows), flows);
    const hubs = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
    const comm = detectCommunities(flows, hubs.isHub, { seed: 1 });
    const f = computeFeatures(flows, pairOrder(flows), c, hubs.isHub, new Map());
    const listedAt = new Map(listed.map((id) => [id, T0 + 100 * DAY]));
    return detectMigrations(flows, f, hubs.isHub, comm.community, { minScore: 0 }, listedAt, pairOrder(flows), new Set(), dropped)
      .links.filter((l) => l.to === 'S')
      .map((l) => [l.from, l.evidence.fallKind]);
  };
  const droppedD = (droppedDay: number) => new Map([['D', T0 + droppedDay * DAY]]);
  // Both listed, D not dropped: on equal terms the stronger link wins (else the rest shows nothing).
  assert.deepEqual(linksOf(110, ['A', 'D'], new Map()), [['D', 'listed']]);
  // D dropped by the run of day 110, its last day of trading: its stronger link gives way to A's.
  assert.deepEqual(linksOf(110, ['A', 'D'], droppedD(110)), [['A', 'listed']]);
  // Uncontested (A not listed, still trading, has not fallen): the dropped account's link stands.
  assert.deepEqual(linksOf(110, ['D'], droppedD(110)), [['D', 'listed']]);
  // Dropped on day 105, trading until day 110: after the list let it go (a day's grace: day 106) it was
  // alive — no fall by its listing, and it has not been silent 14 days: no link.
  assert.deepEqual(linksOf(110, ['D'], droppedD(105)), []);
  // D stopped on day 98 (silent 21 days at the run): a fall of its own, on equal terms with A's.
  assert.deepEqual(linksOf(98, ['A', 'D'], droppedD(110)), [['D', 'stopped']]);
});

test('linkBar: a link resting on one counterparty taken over and nothing else is reported from 0.5, any other from minScore', () => {
  const link = (shared: number, direct: number) =>
    ({ evidence: { sharedCounterparties: shared, directTransfers: direct } }) as unknown as Parameters<typeof linkBar>[0];
  const o = MIGRATION_DEFAULTS;
  assert.equal(o.minScore, 0.45);
  assert.equal(linkBar(link(1, 0), o), 0.5);
  assert.equal(linkBar(link(2, 0), o), 0.45);
  assert.equal(linkBar(link(1, 1), o), 0.45, 'money from A as well');
  assert.equal(linkBar(link(0, 2), o), 0.45);
  // An operator's higher bar holds for every link; a lower one does not lower the one-counterparty bar.
  assert.equal(linkBar(link(1, 0), { ...o, minScore: 0.6 }), 0.6);
  assert.equal(linkBar(link(1, 0), { ...o, minScore: 0.3 }), 0.5);
});

test('a run applies linkBar: one counterparty taken over at 0.45–0.5 is not linked, at 0.5 or more it is', () => {
  // OLD pays its only counterparty C1 every other day until day 60; NEW does from day 62, at 18:00
  // as OLD did (a like profile: score ≥ 0.5) or at 10:00 (score between 0.45 and 0.5).
  const links = (hour: number, o: Parameters<typeof detectMigrations>[4]) => {
    const tx: T[] = [];
    for (let d = 0; d < 120; d += 2) {
      if (d < 61) tx.push({ from: 'OLD', to: 'C1', amount: 35, day: d, hour: 18 });
      else if (d >= 62) tx.push({ from: 'NEW', to: 'C1', amount: 35, day: d, hour });
    }
    for (let d = 0; d < 120; d += 3) tx.push({ from: `X${d % 5}`, to: `Y${d % 7}`, amount: 20, day: d });
    const flows = flowsOf(tx, { days: 120 });
    const graph = buildAccountGraph(flows);
    const c = computeCentrality(graph, flows);
    const { isHub } = findHubs(c, { minDegree: 100, medianFactor: 50 });
    const f = computeFeatures(flows, pairOrder(flows), c, isHub, new Map());
    return detectMigrations(flows, f, isHub, new Int32Array(flows.ids.length).fill(-1), o).links.map((l) => [l.from, l.to, l.score]);
  };
  const low = links(10, { minScore: 0, minScoreOneCounterparty: 0 });
  assert.equal(low.length, 1);
  assert.ok((low[0]![2] as number) >= 0.45 && (low[0]![2] as number) < 0.5, String(low[0]![2]));
  assert.deepEqual(links(10, {}), [], 'below the one-counterparty bar');
  assert.deepEqual(links(10, { minScoreOneCounterparty: 0.45 }), low, 'at the ordinary bar it would be linked');
  const high = links(18, {});
  assert.equal(high.length, 1);
  assert.ok((high[0]![2] as number) >= 0.5);
});
