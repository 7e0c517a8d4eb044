// The rules' fold-wise runs propagated together (propagateRiskScores) give, for every label vector,
// exactly the scores of a run of its own (propagateRisk without reasons): same numbers to the bit,
// whatever round each vector stops at.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flowCentrality } from '../../src/analysis/centrality.js';
import { detectCommunities } from '../../src/analysis/communities.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { pairOrder } from '../../src/analysis/graph.js';
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
  return { prep, n, fraud, rng };
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
