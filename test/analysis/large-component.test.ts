// No spread of unbounded arrays: a component of 200,000 members is typed without a RangeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountFeatures } from '../../src/analysis/features.js';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { pairOrder } from '../../src/analysis/graph.js';
import { classifyCluster, longestPathInCondensation, stronglyConnected } from '../../src/analysis/typology.js';

const N = 200_000;

test('a chain of 200k members: strongly connected components and longest path without throwing', () => {
  const out: number[][] = Array.from({ length: N }, (_, k) => (k + 1 < N ? [k + 1] : []));
  const comp = stronglyConnected(N, out);
  assert.equal(comp.length, N);
  assert.equal(longestPathInCondensation(N, out, comp), N - 1);
});

test('classifyCluster types a 200k-member chain of relays as layering', () => {
  const agg = new FlowAggregator({ from: 0, to: 86_400_000, bucketMs: 86_400_000 }, { holdMs: 3_600_000 });
  const members: string[] = [];
  for (let k = 0; k < N; k++) {
    const id = `A${k}`;
    members.push(id);
    if (k > 0) agg.add({ from: `A${k - 1}`, to: id, amount: 100, at: 1000 + k, channel: 'p2p' });
  }
  const flows = agg.finish();
  const f = {
    n: N,
    forwardShare: new Float64Array(N).fill(0.95),
    ageDays: new Float64Array(N).fill(10),
    ordinary: new Float64Array(N),
  } as unknown as AccountFeatures;
  const typology = classifyCluster({ flows, po: pairOrder(flows) }, members, f);
  assert.equal(typology.evidence.size, N);
  assert.equal(typology.evidence.longestPath, N - 1);
  assert.equal(typology.type, 'layering');
});
