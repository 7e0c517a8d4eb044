// forEachCandidatePair against a plain enumeration: every fallen account's non-hub counterparties'
// neighbours (and the accounts it paid) that rose within the timing window, each pair once. The
// index it builds (risen neighbours by rise day) must find exactly these, on a seeded world where
// accounts start and stop on many days and share busy counterparties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCentrality } from '../../src/analysis/centrality.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { buildAccountGraph, forEachNeighborIndex, pairOrder } from '../../src/analysis/graph.js';
import { findHubs } from '../../src/analysis/hubs.js';
import { DAY_MS } from '../../src/analysis/features.js';
import { detectFall, detectRise, forEachCandidatePair, listedFall, MIGRATION_DEFAULTS } from '../../src/analysis/migration.js';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/pipeline.js';
import { flowsOf, type T } from './helpers.js';

function world(seed: number): T[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const tx: T[] = [];
  const shops = Array.from({ length: 6 }, (_, k) => `SHOP${k}`);
  for (let i = 0; i < 300; i++) {
    const start = Math.floor(rnd() * 150);
    const stop = Math.min(179, start + 10 + Math.floor(rnd() * 120));
    const friends = [0, 1, 2].map(() => `P${Math.floor(rnd() * 300)}`).filter((f) => f !== `P${i}`);
    for (let d = start; d < stop; d += 1 + Math.floor(rnd() * 4)) {
      tx.push({
        from: `P${i}`,
        to: shops[Math.floor(rnd() * shops.length)]!,
        amount: 10 + Math.floor(rnd() * 90),
        day: d,
        hour: 9 + (i % 10),
      });
      const f = friends[Math.floor(rnd() * friends.length)];
      if (f)
        tx.push(
          rnd() < 0.5 ? { from: f, to: `P${i}`, amount: 20, day: d, hour: 18 } : { from: `P${i}`, to: f, amount: 20, day: d, hour: 18 },
        );
    }
  }
  return tx;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`candidate pairs equal a plain enumeration (seed ${seed})`, () => {
    const flows = flowsOf(world(seed), { days: 180 });
    const graph = buildAccountGraph(flows);
    const c = computeCentrality(graph, flows);
    const hubs = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
    const po = pairOrder(flows);
    const f = computeFeatures(flows, po, c, hubs.isHub, new Map());
    const o = { ...MIGRATION_DEFAULTS, maxLeadDays: 5, maxLagDays: 12 };
    // Some accounts listed, so listed falls take part too.
    const listedAt = new Map(['P3', 'P50', 'P120'].map((id, k) => [id, flows.window.from + (40 + 30 * k) * DAY_MS]));
    const got: string[] = [];
    forEachCandidatePair(flows, f, hubs.isHub, o, listedAt, ({ a, b }) => got.push(`${a}>${b}`), po);

    const n = flows.ids.length;
    const expected = new Set<string>();
    for (let a = 0; a < n; a++) {
      if (hubs.isHub[a]) continue;
      const fall = detectFall(a, flows, o) ?? listedFall(a, flows, listedAt, o);
      if (!fall) continue;
      const reach: number[] = [];
      forEachNeighborIndex(flows, po, a, (x) => {
        if (!hubs.isHub[x]) forEachNeighborIndex(flows, po, x, (b) => reach.push(b));
      });
      for (let p = 0; p < flows.pairCount; p++) if (flows.pairFrom[p] === a) reach.push(flows.pairTo[p]!);
      for (const b of reach) {
        if (b === a || hubs.isHub[b]) continue;
        const rise = detectRise(b, flows, f, o);
        if (!rise) continue;
        const gap = rise.at - fall.at;
        if (gap < -o.maxLeadDays * DAY_MS || gap > o.maxLagDays * DAY_MS) continue;
        expected.add(`${a}>${b}`);
      }
    }
    assert.equal(new Set(got).size, got.length, 'each pair once');
    assert.ok(expected.size >= 10, `a world with candidates (${expected.size})`);
    assert.deepEqual([...got].sort(), [...expected].sort());
  });
}
