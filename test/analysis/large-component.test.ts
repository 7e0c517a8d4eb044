// No spread of unbounded arrays: a component of 200,000 members is typed without a RangeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountFeatures } from '../../src/analysis/features.js';
import type { AccountGraph } from '../../src/analysis/graph.js';
import { DirectedGraph } from '../../src/analysis/graphology.js';
import { classifyCluster, longestPathInCondensation, stronglyConnected } from '../../src/analysis/typology.js';

const N = 200_000;

test('a chain of 200k members: strongly connected components and longest path without throwing', () => {
  const out: number[][] = Array.from({ length: N }, (_, k) => (k + 1 < N ? [k + 1] : []));
  const comp = stronglyConnected(N, out);
  assert.equal(comp.length, N);
  assert.equal(longestPathInCondensation(N, out, comp), N - 1);
});

test('classifyCluster types a 200k-member chain of relays as layering', () => {
  const graph: AccountGraph = new DirectedGraph({ allowSelfLoops: false });
  const members: string[] = [];
  for (let k = 0; k < N; k++) {
    const id = `A${k}`;
    members.push(id);
    graph.addNode(id, { i: k });
    if (k > 0) graph.addDirectedEdge(`A${k - 1}`, id, { count: 1, amount: 100, first: 0, last: 0, weight: 1 });
  }
  const f = {
    n: N,
    forwardShare: new Float64Array(N).fill(0.95),
    ageDays: new Float64Array(N).fill(10),
    ordinary: new Float64Array(N),
  } as unknown as AccountFeatures;
  const typology = classifyCluster(graph, members, f);
  assert.equal(typology.evidence.size, N);
  assert.equal(typology.evidence.longestPath, N - 1);
  assert.equal(typology.type, 'layering');
});
