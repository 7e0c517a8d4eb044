// The fall rule on hand-made accounts: quiet, still paid now and then (a trickle), or still active.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAccountGraph } from '../../src/analysis/graph.js';
import { detectFall, lastSentAt, MIGRATION_DEFAULTS } from '../../src/analysis/migration.js';
import { analyse, background, DAY, flowsOf, T0, type T } from './helpers.js';

/** OLD pays and is paid every other day until `until`; afterwards only `tail` days bring a payment to it. */
function life(until: number, tail: number[], days = 120): T[] {
  const tx: T[] = [];
  for (let d = 0; d < until; d += 2) {
    tx.push({ from: 'OLD', to: 'C1', amount: 30, day: d, hour: 18 });
    tx.push({ from: 'C2', to: 'OLD', amount: 40, day: d + 1, hour: 19 });
  }
  for (const d of tail) tx.push({ from: 'AUNT', to: 'OLD', amount: 20, day: d, hour: 10 });
  tx.push({ from: 'X', to: 'Y', amount: 1, day: days - 1 });
  return tx;
}

function fallOf(tx: T[]) {
  const flows = flowsOf(tx, { days: 120 });
  const graph = buildAccountGraph(flows);
  const i = flows.index.get('OLD')!;
  return { fall: detectFall(i, flows, MIGRATION_DEFAULTS, lastSentAt(graph, 'OLD')), flows };
}

test('lastSentAt: the last transfer out, NaN for an account that only received', () => {
  const flows = flowsOf(life(60, [90, 104]), { days: 120 });
  const graph = buildAccountGraph(flows);
  assert.equal(lastSentAt(graph, 'OLD'), T0 + 58 * DAY + 18 * 3_600_000);
  assert.ok(Number.isNaN(lastSentAt(graph, 'C1')));
});

test('an account still paid now and then after it stopped sending has stopped at its last transfer out', () => {
  // Two payments to it on days 90 and 110 (the last within the quiet days): before, no fall was seen
  // (the last transfer was 9 days before asOf) or it fell at the stray payment.
  const { fall } = fallOf(life(60, [90, 110]));
  assert.ok(fall, 'a fall');
  assert.equal(fall.kind, 'stopped');
  assert.equal(fall.at, T0 + 58 * DAY + 18 * 3_600_000, 'at the last transfer out (day 58), not at the payments after it');
  // A stray payment long after, then quiet: still at the last transfer out (the quiet rule alone said day 90).
  assert.equal(fallOf(life(60, [90])).fall!.at, fall.at);
  // Without the tail too (the payment to it on day 59 is no more than a trickle after it).
  assert.deepEqual(fallOf(life(60, [])).fall, { at: fall.at, kind: 'stopped' });
  // An account that only received falls by the quiet rule, at its last transfer.
  const onlyPaid = life(60, []).filter((t) => t.from !== 'OLD');
  assert.deepEqual(fallOf(onlyPaid).fall, { at: T0 + 59 * DAY + 19 * 3_600_000, kind: 'stopped' });
});

test('more than a trickle after the last transfer out is not a fall', () => {
  // Paid every other day until day 114, by the same rate as before: an account that only receives now.
  const tail = Array.from({ length: 27 }, (_, k) => 62 + 2 * k);
  assert.equal(fallOf(life(60, tail)).fall, undefined);
  // An account that still sends within the quiet days has not fallen either.
  assert.equal(fallOf(life(115, [])).fall, undefined);
});

test('the successor of an account that is still paid now and then is found (pipeline)', () => {
  // OLD and its friends C1..C4 until day 60; NEW takes over from day 62; AUNT still pays OLD on days 90 and 110.
  const tx: T[] = [];
  const partners = ['C1', 'C2', 'C3', 'C4'];
  for (let d = 0; d < 120; d += 2) {
    const acct = d < 61 ? 'OLD' : d >= 62 ? 'NEW' : null;
    if (!acct) continue;
    partners.forEach((c, k) => {
      if ((d / 2 + k) % 2) tx.push({ from: c, to: acct, amount: 40 + k, day: d, hour: 19 });
      else tx.push({ from: acct, to: c, amount: 35 + k, day: d, hour: 18 });
    });
  }
  tx.push({ from: 'AUNT', to: 'OLD', amount: 20, day: 90, hour: 10 }, { from: 'AUNT', to: 'OLD', amount: 20, day: 110, hour: 10 });
  const out = analyse([...tx, ...background('P', 30, 120)], { days: 120 });
  const link = out.migrations.find((m) => m.from === 'OLD');
  assert.ok(link, JSON.stringify(out.migrations.map((m) => [m.from, m.to])));
  assert.equal(link.to, 'NEW');
  assert.equal(link.evidence.fallKind, 'stopped');
  assert.ok(link.evidence.gapDays > 0 && link.evidence.gapDays < 5, `gap ${link.evidence.gapDays}`);
});
