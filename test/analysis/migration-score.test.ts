// scoreMigration on evidence given by hand: the direct-transfer term.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreMigration, type PairInputs } from '../../src/analysis/migration.js';
import { analyse, background, DAY, type T } from './helpers.js';

const base: PairInputs = {
  from: 'A',
  to: 'S',
  fall: { at: 100 * DAY, kind: 'stopped' },
  rise: { at: 100 * DAY - 6 * 3_600_000, kind: 'new' },
  formerCounterparties: 3,
  formerWeight: 1.5,
  shared: [],
  directTransfers: 1,
  profileSimilarity: 0.5,
  sameCluster: false,
};

test('money from A to an account that rose at the switch counts in full; later, it counts by the profile', () => {
  // At the switch (the rise 6 hours before the fall): 1 − (1 − 0.55) · (1 − 0.25 · 0.5) = 0.606.
  assert.equal(scoreMigration(base)!.score, 0.606);
  // Five days after the fall, the same payment is weighed by how alike the two accounts behave:
  // 0.55 · (0.4 + 0.6 · 0.5) = 0.385 → 1 − 0.615 · 0.875 = 0.462, below the default 0.5.
  const later = scoreMigration({ ...base, rise: { at: 105 * DAY, kind: 'new' } })!;
  assert.equal(later.score, 0.462);
  // Without money from A and without shared counterparties there is no link, at the switch or not.
  assert.equal(scoreMigration({ ...base, directTransfers: 0 }), undefined);
});

test('a person who moves the balance to a new account and lives on there is linked (pipeline)', () => {
  // OLD pays shops and is paid a salary until day 60; on day 60 it sends its balance to NEW, whose
  // first transfer that is; NEW then pays other shops at other hours (a different card, a different life).
  const tx: T[] = [];
  for (let d = 0; d < 60; d += 2) {
    tx.push({ from: 'OLD', to: 'SHOP', amount: 30, day: d, hour: 12, channel: 'card' });
    tx.push({ from: 'OLD', to: 'FRIEND', amount: 20, day: d + 1, hour: 20 });
  }
  tx.push({ from: 'OLD', to: 'NEW', amount: 3000, day: 60, hour: 9, channel: 'transfer' });
  for (let d = 61; d < 120; d += 2) tx.push({ from: 'NEW', to: 'SHOP2', amount: 55, day: d, hour: 7, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: `CUST${c}`, to: 'SHOP', amount: 25, day: c, hour: 15, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: `CUST${c}`, to: 'SHOP2', amount: 25, day: c, hour: 15, channel: 'card' });
  const out = analyse([...tx, ...background('P', 30, 120)], { days: 120 });
  const link = out.migrations.find((m) => m.from === 'OLD');
  assert.ok(link, JSON.stringify(out.migrations.map((m) => [m.from, m.to, m.score])));
  assert.equal(link.to, 'NEW');
  assert.equal(link.evidence.directTransfers, 1);
  assert.equal(link.evidence.sharedCounterparties, 0);
  assert.ok(Math.abs(link.evidence.gapDays) <= 1, `gap ${link.evidence.gapDays}`);
});
