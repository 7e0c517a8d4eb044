// A cluster typed from its relays only: its notes speak of the relays, not of every member (a
// user trial found "half the members send on ≥ 99%" next to a median forward share of 0.007).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountFeatures } from '../../src/analysis/features.js';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { pairOrder } from '../../src/analysis/graph.js';
import { classifyCluster } from '../../src/analysis/typology.js';

test('a chain of relays inside a cluster of others: typed by the relays, and every note says whom it is about', () => {
  const DAY = 86_400_000;
  const agg = new FlowAggregator({ from: 0, to: 10 * DAY, bucketMs: DAY }, { holdMs: 3_600_000 });
  const members: string[] = [];
  let t = 1000;
  // Six relays in a chain, fed by one of ten pairs of accounts that pay each other and keep the money.
  for (let k = 0; k < 6; k++) {
    members.push(`A${k}`);
    if (k) agg.add({ from: `A${k - 1}`, to: `A${k}`, amount: 100, at: t++, channel: 'p2p' });
  }
  for (let k = 0; k < 10; k++) {
    members.push(`V${k}`, `W${k}`);
    agg.add({ from: `V${k}`, to: `W${k}`, amount: 50, at: t++, channel: 'p2p' });
    agg.add({ from: `W${k}`, to: `V${(k + 1) % 10}`, amount: 5, at: t++, channel: 'p2p' });
  }
  agg.add({ from: 'V0', to: 'A0', amount: 100, at: t++, channel: 'p2p' });
  const flows = agg.finish();
  const n = flows.index.size;
  const forwardShare = new Float64Array(n);
  for (const [id, i] of flows.index) forwardShare[i] = id.startsWith('A') ? 0.99 : 0;
  const f = { n, forwardShare, ageDays: new Float64Array(n).fill(10), ordinary: new Float64Array(n) } as unknown as AccountFeatures;

  const typology = classifyCluster({ flows, po: pairOrder(flows) }, members, f);
  assert.equal(typology.type, 'layering');
  assert.equal(typology.evidence.medianForwardShare, 0, "the members' own median");
  assert.match(typology.notes[0]!, /^among its 6 relay accounts/);
  assert.deepEqual(
    typology.notes.filter((note) => /half the members/.test(note)),
    [],
    'no note says half the members send on most of what they receive',
  );
  assert.ok(typology.notes.some((note) => /^half the relay accounts send on ≥ 99%/.test(note)));
});
