// Clusters, roles and cluster types on small graphs whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAccountGraph, dampedWeight, pairOrder } from '../../src/analysis/graph.js';
import { CENTRALITY_DEFAULTS, computeCentrality, pagerankTolerance } from '../../src/analysis/centrality.js';
import { detectCommunities } from '../../src/analysis/communities.js';
import { createRng } from '../../src/analysis/rng.js';
import { pagerankJob, startPagerank } from '../../src/analysis/pagerank-thread.js';
import { ANALYSIS_DEFAULTS, runAnalysis } from '../../src/analysis/pipeline.js';
import { analyse, background, flowsOf, indexOf, ring, type T } from './helpers.js';

const clusterOf = (out: Awaited<ReturnType<typeof analyse>>, id: string) => out.clusterOf[indexOf(out, id)];
const roleOf = (out: Awaited<ReturnType<typeof analyse>>, id: string) => out.roles[indexOf(out, id)];

test('a 5-ring is one cluster typed ring; its members pass money through', async () => {
  const members = ['R1', 'R2', 'R3', 'R4', 'R5'];
  const out = await analyse([...ring(members, { fromDay: 0, toDay: 60 }), ...background('P', 40, 60)]);
  const ids = new Set(members.map((m) => clusterOf(out, m)));
  assert.equal(ids.size, 1, 'all ring members in one cluster');
  const cluster = out.clusters.find((c) => c.id === [...ids][0])!;
  assert.deepEqual(cluster.members, members);
  assert.equal(cluster.typology.type, 'ring');
  assert.equal(cluster.typology.evidence.cycleMembers, 5);
  assert.match(cluster.typology.notes[0]!, /5 of 5 members pass money round a cycle/);
  for (const m of members) assert.equal(roleOf(out, m), 'pass_through');
  // Friend triads that pay each other back are cycles too, but nobody passes money through.
  const friends = out.clusters.find((c) => c.members.includes('P0a'))!;
  assert.notEqual(friends.typology.type, 'ring');
});

test('a fan-in: victims pay a collector who forwards at once; collector role, fan_in cluster', async () => {
  const tx: T[] = [];
  for (let v = 0; v < 12; v++) {
    tx.push({ from: `V${v}`, to: 'X', amount: 900, day: 5 + v * 3, hour: 10 });
    tx.push({ from: 'X', to: 'M', amount: 870, day: 5 + v * 3, hour: 14 });
    tx.push({ from: 'M', to: 'CASH', amount: 850, day: 6 + v * 3, hour: 9 });
  }
  const out = await analyse([...tx, ...background('P', 30, 60)]);
  assert.equal(roleOf(out, 'X'), 'collector');
  const cluster = out.clusters.find((c) => c.members.includes('X'))!;
  assert.equal(cluster.typology.type, 'fan_in');
  assert.equal(cluster.typology.evidence.center, 'X');
  assert.ok(cluster.typology.evidence.centerForwardShare > 0.9);
});

test('a hub does not glue two rings together and gets no cluster', async () => {
  const r1 = ['A1', 'A2', 'A3', 'A4', 'A5'];
  const r2 = ['B1', 'B2', 'B3', 'B4', 'B5'];
  const tx: T[] = [...ring(r1, { fromDay: 0, toDay: 40, amount: 3000 }), ...ring(r2, { fromDay: 1, toDay: 40, amount: 3000 })];
  // A merchant everybody pays (the ring members too) and its 150 other customers.
  for (const m of [...r1, ...r2])
    for (let d = 0; d < 40; d += 4) tx.push({ from: m, to: 'SHOP', amount: 40, day: d, hour: 12, channel: 'card' });
  for (let c = 0; c < 150; c++) tx.push({ from: `CUST${c}`, to: 'SHOP', amount: 25, day: c % 40, hour: 15, channel: 'card' });
  const out = await analyse([...tx, ...background('P', 20, 40)]);
  assert.equal(out.isHub[indexOf(out, 'SHOP')], 1);
  assert.equal(clusterOf(out, 'SHOP'), null);
  assert.equal(roleOf(out, 'SHOP'), 'hub');
  const c1 = new Set(r1.map((m) => clusterOf(out, m)));
  const c2 = new Set(r2.map((m) => clusterOf(out, m)));
  assert.equal(c1.size, 1);
  assert.equal(c2.size, 1);
  assert.notEqual([...c1][0], [...c2][0], 'two rings, two clusters');
  assert.equal(out.clusters.find((c) => c.id === [...c1][0])!.members.length, 5);
});

test('communities larger than maxClusterSize are split into tighter ones', async () => {
  // Twelve triads chained by weak links: one Louvain community at low resolution.
  const tx: T[] = [];
  for (let g = 0; g < 12; g++) {
    for (let d = 0; d < 30; d += 3) {
      tx.push({ from: `G${g}a`, to: `G${g}b`, amount: 500, day: d });
      tx.push({ from: `G${g}b`, to: `G${g}c`, amount: 500, day: d });
      tx.push({ from: `G${g}c`, to: `G${g}a`, amount: 500, day: d });
    }
    tx.push({ from: `G${g}a`, to: `G${(g + 1) % 12}a`, amount: 20, day: 5 });
  }
  const coarse = await analyse(tx, { params: { resolution: 0.001, maxClusterSize: 1000 } });
  assert.ok(
    coarse.clusters.some((c) => c.members.length > 9),
    'without splitting, a large community',
  );
  const split = await analyse(tx, { params: { resolution: 0.001, maxClusterSize: 6 } });
  assert.ok(
    split.clusters.every((c) => c.members.length <= 6),
    `every cluster ≤ 6 (got ${split.clusters.map((c) => c.members.length)})`,
  );
});

test('the same input gives the same clusters, ids, scores and list (determinism)', async () => {
  const tx = [...ring(['R1', 'R2', 'R3', 'R4'], { fromDay: 0, toDay: 50 }), ...background('P', 60, 50)];
  const a = await analyse(tx, { labels: { R1: 'fraud' } });
  const b = await analyse([...tx].reverse(), { labels: { R1: 'fraud' } });
  assert.deepEqual(
    a.clusters.map((c) => [c.id, c.members, c.typology.type, c.score]),
    b.clusters.map((c) => [c.id, c.members, c.typology.type, c.score]),
  );
  assert.deepEqual(a.candidates, b.candidates);
});

test('a run builds its graph keyed by rank: the same PageRank as a graph keyed by account id, and the run keeps no graph', async () => {
  const tx = [...ring(['R1', 'R2', 'R3', 'R4', 'R5'], { fromDay: 0, toDay: 60 }), ...background('P', 40, 60)];
  const flows = flowsOf(tx);
  const po = pairOrder(flows);
  const byId = buildAccountGraph(flows, po, 'id');
  const byRank = buildAccountGraph(flows, po, 'rank');
  assert.ok(byId.hasNode('R1') && !byRank.hasNode('R1') && byRank.hasNode('0'));
  assert.equal(byRank.size, byId.size);
  const a = computeCentrality(byId, flows, {}, po);
  const b = computeCentrality(byRank, flows, {}, po);
  assert.ok(a.pagerank.some((x) => x > 0));
  assert.deepEqual(b, a);
  const out = await analyse(tx, { labels: { R1: 'fraud' } });
  assert.equal(out.counts.relations, byId.size);
  assert.deepEqual(Array.from(out.centrality.pagerank), Array.from(a.pagerank));
  assert.ok(!('graph' in out));
});

test('PageRank in its own thread: the same numbers as inline, and the same run; a failing thread rejects with its error', async () => {
  const tx = [...ring(['R1', 'R2', 'R3', 'R4', 'R5'], { fromDay: 0, toDay: 60 }), ...background('P', 40, 60)];
  const flows = flowsOf(tx);
  const po = pairOrder(flows);
  const inline = computeCentrality(buildAccountGraph(flows, po, 'rank'), flows, {}, po);
  const job = pagerankJob(flows, po);
  const threaded = await startPagerank(job, { minPairs: 0 }).result;
  assert.equal(threaded.timings.thread, 1);
  assert.deepEqual(Array.from(threaded.pagerank), Array.from(inline.pagerank));
  const small = await startPagerank(job).result;
  assert.equal(small.timings.thread, 0, 'a graph this small is done inline');
  assert.deepEqual(Array.from(small.pagerank), Array.from(inline.pagerank));
  const a = await analyse(tx, { labels: { R1: 'fraud' } });
  const b = await analyse(tx, { labels: { R1: 'fraud' }, pagerankThread: { minPairs: 0 } });
  assert.deepEqual(Array.from(b.centrality.pagerank), Array.from(a.centrality.pagerank));
  assert.deepEqual(b.candidates, a.candidates);
  // A pair whose sender is no node of the graph: graphology throws in the thread.
  const broken = { ...job, pairFrom: Uint32Array.from(job.pairFrom, () => job.n + 7) };
  await assert.rejects(startPagerank(broken, { minPairs: 0 }).result, /not found|undefined/i);
  // A thread out of memory fails the analysis with a message naming the setting.
  await assert.rejects(
    analyse(tx, { labels: { R1: 'fraud' }, pagerankThread: { minPairs: 0, heapMb: 1 } }),
    /ACCTNET_ANALYSIS_HEAP_MB|PageRank/,
  );
});

test('the clusters and migration links are handed out before the learned step, and they are the final ones', async () => {
  const tx = [...ring(['R1', 'R2', 'R3', 'R4', 'R5'], { fromDay: 0, toDay: 60 }), ...background('P', 40, 60)];
  const steps: string[] = [];
  let early: { clusters: unknown; migrations: unknown; afterSteps: string[] } | null = null;
  const out = await runAnalysis({
    flows: flowsOf(tx),
    firstSeen: new Map(),
    labels: new Map([['R1', 'fraud']]),
    previousClusters: new Map(),
    nextClusterSeq: 1,
    params: ANALYSIS_DEFAULTS,
    onStep: (s) => steps.push(s),
    // A copy as handed out: later steps must not change what was already written.
    onClustersReady: (ready) => {
      early = { ...structuredClone(ready), afterSteps: [...steps] };
    },
  });
  assert.ok(early, 'called');
  const e = early as unknown as { clusters: unknown; migrations: unknown; afterSteps: string[] };
  assert.ok(e.afterSteps.includes('stable-ids') && !e.afterSteps.includes('learned'), e.afterSteps.join(' '));
  assert.deepEqual(e.clusters, out.clusters);
  assert.deepEqual(e.migrations, out.migrations);
});

test('clusters do not depend on the form of the account ids (numeric-looking or not), splits included', async () => {
  // Dense groups of 24 joined by a few cross links, split down to clusters of at most 6: the top-level
  // Louvain, its dendrogram and the re-runs on induced subgraphs all take part.
  const rng = createRng(11);
  const raw: Array<{ a: number; b: number; amount: number; day: number }> = [];
  for (let g = 0; g < 8; g++)
    for (let k = 0; k < 90; k++) {
      const a = g * 24 + Math.floor(rng() * 24);
      const b = rng() < 0.05 ? Math.floor(rng() * 192) : g * 24 + Math.floor(rng() * 24);
      if (a !== b) raw.push({ a, b, amount: 10 + Math.floor(rng() * 500), day: Math.floor(rng() * 60) });
    }
  const run = (id: (i: number) => string) => {
    const flows = flowsOf(raw.map((t) => ({ from: id(t.a), to: id(t.b), amount: t.amount, day: t.day })));
    const c = detectCommunities(flows, new Uint8Array(flows.ids.length), { seed: 3, maxClusterSize: 6 });
    const byAccount = new Map(flows.ids.map((x, i) => [x.replace(/^acct-/, ''), c.community[i]]));
    return { byAccount: [...byAccount].sort(), members: [...c.members.values()].map((m) => m.map((x) => x.replace(/^acct-/, ''))) };
  };
  const numeric = run((i) => String(i));
  const prefixed = run((i) => `acct-${i}`);
  assert.ok(numeric.members.length >= 20, `${numeric.members.length} clusters`);
  assert.ok(numeric.members.every((m) => m.length <= 6));
  assert.deepEqual(numeric, prefixed);
});

test('PageRank on a small periodic graph converges: a run on a handful of accounts paying a hub and back does not fail', async () => {
  // A hub paying three accounts that pay it back: the power iteration oscillates between the two
  // sides, its change shrinking by 0.85 per iteration — after 100 iterations still above 1e-9 per
  // account (graphology-metrics threw "failed to converge").
  const tx: T[] = [];
  for (let d = 0; d < 30; d++)
    for (const c of ['B', 'C', 'D'])
      tx.push({ from: 'A', to: c, amount: 10, day: d, hour: 9 }, { from: c, to: 'A', amount: 10, day: d, hour: 10 });
  const flows = flowsOf(tx, { days: 30 });
  const c = computeCentrality(buildAccountGraph(flows), flows);
  const a = c.pagerank[indexOf(flows, 'A')]!;
  const b = c.pagerank[indexOf(flows, 'B')]!;
  const total = a + 3 * b;
  assert.ok(Math.abs(total - 1) < 1e-6, `ranks sum to 1 (${total})`);
  const alpha = 0.85;
  // Fixed point: a = (1−α)/4 + α·3b, b = (1−α)/4 + α·a/3.
  const aStar = (((1 - alpha) / 4) * (1 + 3 * alpha)) / (1 - alpha * alpha);
  assert.ok(Math.abs(a - aStar) < 1e-6, `hub rank ${a} vs ${aStar}`);
  const out = await analyse(tx, { days: 30 });
  assert.equal(out.ids.length, 4);
  // Above ~400 accounts the tolerance is the 1e-9 it always was: larger runs' ranks do not move.
  assert.equal(pagerankTolerance(412, CENTRALITY_DEFAULTS), 1e-9);
  assert.equal(pagerankTolerance(100_000, CENTRALITY_DEFAULTS), 1e-9);
  assert.ok(pagerankTolerance(4, CENTRALITY_DEFAULTS) > 1e-8);
});

test('dust: an account whose only outflow is a 1e-15 transfer (one minor unit of a 15-decimal currency) keeps a positive weight; the run completes', async () => {
  assert.ok(dampedWeight(1e-15, 1) > 0, 'log2(1 + 1e-16) is exactly 0; the weight must not be');
  assert.equal(dampedWeight(250, 3), Math.log2(1 + 25) * (1 + Math.log2(3)), 'ordinary amounts: the v1 expression, bit for bit');
  const tx: T[] = background('P', 40, 30);
  tx.push({ from: 'DUSTER', to: 'P0a', amount: 1e-15, day: 5 });
  const out = await analyse(tx, { days: 30 });
  assert.ok(out.ids.includes('DUSTER'));
  assert.ok(Array.from(out.centrality.pagerank).every((x) => Number.isFinite(x) && x > 0));
});
