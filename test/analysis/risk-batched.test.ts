// The learned step's fold-wise label features computed for all folds together give, for every label
// vector, exactly the numbers of a computation of its own, to the bit: the rules' runs
// (propagateRiskScores against propagateRisk without reasons, whatever round each vector stops at)
// and the proximities (labelProximities against computeLabelFeatures' own).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flowCentrality } from '../../src/analysis/centrality.js';
import { detectCommunities } from '../../src/analysis/communities.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { pairOrder } from '../../src/analysis/graph.js';
import { computeLabelFeatures, flowMatrix, labelProximities } from '../../src/analysis/label-features.js';
import { findHubs } from '../../src/analysis/hubs.js';
import type { Migration } from '../../src/analysis/migration.js';
import { prepareRisk, propagateRisk, propagateRiskScores } from '../../src/analysis/risk.js';
import { createRng } from '../../src/analysis/rng.js';
import { classifyCluster, type Typology } from '../../src/analysis/typology.js';
import { createWorld } from '../../dev/synth/world.js';
import { DAY } from './helpers.js';

function preparedWorld(seed: number, accounts: number) {
  const w = createWorld({ seed, accounts, activity: 0.7 });
  const transfers = [...w.transfers()];
  const to = transfers.reduce((m, t) => Math.max(m, t.at), 0);
  const agg = new FlowAggregator({ from: to - 180 * DAY + 1, to, bucketMs: 7 * DAY }, { holdMs: 48 * 3_600_000 });
  for (const t of transfers) agg.add({ from: t.from, to: t.to, amount: Number(t.amount), at: t.at, channel: t.channel });
  const flows = agg.finish();
  const po = pairOrder(flows);
  const c = flowCentrality(flows, po);
  const { isHub } = findHubs(c);
  const communities = detectCommunities(flows, isHub, { seed: 1 }, po);
  const f = computeFeatures(flows, po, c, isHub, new Map());
  const typologies = new Map<number, Typology>();
  for (const [cid, members] of communities.members) typologies.set(cid, classifyCluster({ flows, po }, members, f));
  // Migration links between accounts chosen by a seeded draw: the rounds pass risk along them too.
  const rng = createRng(`links-${seed}`);
  const n = flows.ids.length;
  const migrations: Migration[] = [];
  for (let k = 0; k < 40; k++) {
    const from = flows.ids[Math.floor(rng() * n)]!;
    const to = flows.ids[Math.floor(rng() * n)]!;
    if (from !== to) migrations.push({ from, to, score: 0.5 + 0.5 * rng(), fallAt: 0, riseAt: 0 } as unknown as Migration);
  }
  const prep = prepareRisk({
    flows,
    c,
    ids: flows.ids,
    f,
    isHub,
    community: communities.community,
    clusters: communities.members,
    typologies,
    migrations,
  });
  const fraud = w.truth
    .filter((a) => a.fraud)
    .map((a) => flows.index.get(a.id))
    .filter((i): i is number => i !== undefined);
  const lf = {
    flows,
    isHub,
    community: communities.community,
    migrations: migrations.map((l) => ({ from: flows.index.get(l.from)!, to: flows.index.get(l.to)!, score: l.score })),
  };
  return { prep, n, fraud, rng, lf };
}

const W = preparedWorld(11, 3000);

/** Five fold-like vectors, one with no labels and one with every fraud account labelled. */
function labelVectors({ n, fraud, rng }: typeof W): Int8Array[] {
  assert.ok(fraud.length >= 20, `the world has ${fraud.length} fraud accounts`);
  // Five fold-like vectors (fraud labels without one fifth, legit labels drawn among the others), a
  // vector with no labels (nothing spreads: it stops after its first round) and one with every fraud
  // account labelled: the vectors stop at different rounds.
  const vectors: Int8Array[] = [];
  for (let g = 0; g < 5; g++) {
    const v = new Int8Array(n);
    fraud.forEach((i, k) => (v[i] = k % 5 === g ? 0 : 1));
    for (let k = 0; k < 60; k++) {
      const i = Math.floor(rng() * n);
      if (v[i] === 0) v[i] = -1;
    }
    vectors.push(v);
  }
  vectors.push(new Int8Array(n));
  const all = new Int8Array(n);
  for (const i of fraud) all[i] = 1;
  vectors.push(all);
  return vectors;
}

test('propagateRiskScores: each label vector gets the scores of its own propagateRisk run, to the bit', () => {
  const { prep, n, fraud } = W;
  const vectors = labelVectors(W);

  const together = propagateRiskScores(prep, vectors);
  assert.equal(together.length, vectors.length);
  let raised = 0;
  vectors.forEach((v, g) => {
    const alone = propagateRisk(prep, v, false).score;
    assert.deepEqual(Array.from(together[g]!), Array.from(alone), `vector ${g}`);
    for (let i = 0; i < n; i++) if (v[i] === 0 && alone[i]! >= 0.3) raised++;
  });
  // The vectors raised unlabelled accounts: the rounds did spread something.
  assert.ok(raised > 50, `${raised} unlabelled accounts raised to 0.3 or more`);
  // One vector alone is the same as a batch of one.
  assert.deepEqual(Array.from(propagateRiskScores(prep, [vectors[2]!])[0]!), Array.from(together[2]!));
});

test('labelProximities: the label features of each vector are those computed alone, to the bit', () => {
  const { lf, n } = W;
  const vectors = labelVectors(W);
  const fm = flowMatrix(lf);
  const rules = new Float64Array(n);
  const proximities = { fraud: labelProximities(lf, fm, vectors, 1), legit: labelProximities(lf, fm, vectors, -1) };
  vectors.forEach((v, g) => {
    const alone = computeLabelFeatures(lf, fm, v, rules).map((c) => Array.from(c));
    const together = computeLabelFeatures(lf, fm, v, rules, undefined, { ...proximities, g }).map((c) => Array.from(c));
    assert.deepEqual(together, alone, `vector ${g}`);
    // Proximity is there to compare: the fraud-downstream column is not all zeros where fraud is labelled.
    if (v.some((x) => x === 1)) assert.ok(alone[3]!.some((x) => x > 0));
  });
  // Vectors without a legit label among them (their legit proximities are not iterated).
  const unlabelledLegit = vectors.slice(5);
  const noLegit = { fraud: labelProximities(lf, fm, unlabelledLegit, 1), legit: labelProximities(lf, fm, unlabelledLegit, -1) };
  unlabelledLegit.forEach((v, g) =>
    assert.deepEqual(
      computeLabelFeatures(lf, fm, v, rules, undefined, { ...noLegit, g }).map((c) => Array.from(c)),
      computeLabelFeatures(lf, fm, v, rules).map((c) => Array.from(c)),
    ),
  );
});
