// "Stopped sending": an account that stopped paying anyone but is still paid now and then by its old
// contacts fell at its last transfer out (src/analysis/migration.ts stoppedSendingAt).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCentrality } from '../../src/analysis/centrality.js';
import { computeFeatures } from '../../src/analysis/features.js';
import { buildAccountGraph, pairOrder } from '../../src/analysis/graph.js';
import { findHubs } from '../../src/analysis/hubs.js';
import {
  detectFall,
  detectMigrations,
  MIGRATION_DEFAULTS,
  scoreMigration,
  sendingHistories,
  stoppedSendingAt,
  type PairInputs,
} from '../../src/analysis/migration.js';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/pipeline.js';
import { DAY, flowsOf, T0, takeover, type T } from './helpers.js';

const o = MIGRATION_DEFAULTS;

function run(tx: T[], days: number) {
  const flows = flowsOf(tx, { days });
  const graph = buildAccountGraph(flows);
  const c = computeCentrality(graph, flows);
  const { isHub } = findHubs(c, { minDegree: ANALYSIS_DEFAULTS.hubMinDegree, medianFactor: ANALYSIS_DEFAULTS.hubMedianFactor });
  const po = pairOrder(flows);
  const f = computeFeatures(flows, po, c, isHub, new Map());
  const community = new Int32Array(flows.ids.length).fill(-1);
  return { flows, result: detectMigrations(flows, f, isHub, community, {}) };
}

test('an account still paid now and then after it stopped sending fell at its last transfer out; its successor is linked', () => {
  // OLD's friends C1 and C3 pay the old account twice more after it moved (days 90 and 100): its
  // last transfer of any kind is day 100, 38 days after NEW rose — too late a fall for a link.
  const tx = takeover();
  tx.push({ from: 'C1', to: 'OLD', amount: 41, day: 90, hour: 19 }, { from: 'C3', to: 'OLD', amount: 43, day: 100, hour: 19 });
  const { flows, result } = run(tx, 120);
  const i = flows.index.get('OLD')!;
  const lastOut = sendingHistories(flows).lastOut[i]!;
  assert.deepEqual(detectFall(i, flows, o), { at: T0 + 100 * DAY + 19 * 3_600_000, kind: 'stopped' }, 'without the sending histories');
  const fall = detectFall(i, flows, o, sendingHistories(flows));
  assert.deepEqual(fall, { at: lastOut, kind: 'stopped', paidAfter: true });
  assert.ok(lastOut < T0 + 61 * DAY && lastOut >= T0 + 60 * DAY, 'its last transfer out, on day 60');
  const link = result.links.find((l) => l.from === 'OLD');
  assert.equal(link?.to, 'NEW');
  assert.equal(link?.evidence.fallKind, 'stopped');
});

test('no fall while it is still paid at its earlier rate, nor for a sparse payer whose quiet weeks are its rhythm', () => {
  const tx: T[] = [];
  // BUSY sent 12 times over 60 days and is paid as before, every 3 days, until the end.
  for (let d = 0; d < 60; d += 5) tx.push({ from: 'BUSY', to: `B${d % 3}`, amount: 50, day: d });
  for (let d = 1; d < 120; d += 3) tx.push({ from: `B${d % 3}`, to: 'BUSY', amount: 60, day: d });
  // SPARSE sent 5 times, every 20 days until day 80; paid once since, 10 days before the end.
  for (let d = 0; d <= 80; d += 20) tx.push({ from: 'SPARSE', to: 'Q1', amount: 70, day: d });
  tx.push({ from: 'Q2', to: 'SPARSE', amount: 20, day: 110 });
  const flows = flowsOf(tx, { days: 120 });
  const sending = sendingHistories(flows);
  assert.equal(detectFall(flows.index.get('BUSY')!, flows, o, sending), undefined);
  assert.equal(detectFall(flows.index.get('SPARSE')!, flows, o, sending), undefined);
  // The same sparse payer sending every 5 days before its silence fell at its last send.
  const tx2 = tx.filter((t) => t.from !== 'SPARSE');
  for (let d = 55; d <= 80; d += 5) tx2.push({ from: 'SPARSE', to: 'Q1', amount: 70, day: d });
  const flows2 = flowsOf(tx2, { days: 120 });
  const fall = detectFall(flows2.index.get('SPARSE')!, flows2, o, sendingHistories(flows2));
  assert.equal(fall?.kind, 'stopped');
  assert.equal(fall?.paidAfter, true);
});

test('stoppedSendingAt: each condition on its own', () => {
  const h = { firstAt: 0, lastAt: 100 * DAY, lastOut: 60 * DAY, outCount: 30, transfers: 60, paidAfter: 2 };
  assert.equal(stoppedSendingAt(h, 100 * DAY, o), 60 * DAY);
  assert.equal(stoppedSendingAt({ ...h, paidAfter: 0, lastAt: 60 * DAY }, 100 * DAY, o), undefined, 'nothing paid after: the quiet rule');
  assert.equal(stoppedSendingAt({ ...h, outCount: 4 }, 100 * DAY, o), undefined, 'too few sends');
  assert.equal(stoppedSendingAt(h, 73 * DAY, o), undefined, 'silent less than the quiet days');
  // 60 transfers over 60 days, 40 days of silence: up to 0.2 × 1 × 40 = 8 paid after.
  assert.equal(stoppedSendingAt({ ...h, transfers: 68, paidAfter: 8 }, 100 * DAY, o), 60 * DAY);
  assert.equal(stoppedSendingAt({ ...h, transfers: 69, paidAfter: 9 }, 100 * DAY, o), undefined, 'paid more than a trickle');
});

test('a fall while still paid: money from the fallen account alone links nothing, a counterparty taken over does', () => {
  const base: PairInputs = {
    from: 'A',
    to: 'S',
    fall: { at: 0, kind: 'stopped' },
    rise: { at: DAY, kind: 'new' },
    formerCounterparties: 4,
    formerWeight: 2,
    shared: [],
    directTransfers: 1,
    profileSimilarity: 0.8,
    successorCounterparties: [],
    successorWeight: 0,
    sameCluster: false,
  };
  assert.ok(scoreMigration(base));
  assert.equal(scoreMigration({ ...base, fall: { ...base.fall, paidAfter: true } }), undefined);
  assert.ok(scoreMigration({ ...base, fall: { ...base.fall, paidAfter: true }, shared: [{ id: 'C', weight: 0.5 }] }));
});
