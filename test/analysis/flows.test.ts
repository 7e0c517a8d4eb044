// The flow aggregates the features are built from: the pass-through holding window, runs, round amounts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowAggregator } from '../../src/analysis/flows.js';
import { createRng } from '../../src/analysis/rng.js';
import { DAY, flowsOf, HOUR, T0, type T } from './helpers.js';

test('pass-through counts only money received within the holding window before each outflow (salary day 0, small daily inflows, rent day 29)', () => {
  const transfers: T[] = [{ from: 'employer', to: 'p', amount: 3000, day: 0, hour: 9 }];
  for (let day = 1; day < 29; day++) transfers.push({ from: `friend${day % 3}`, to: 'p', amount: 10, day, hour: 12 });
  transfers.push({ from: 'p', to: 'landlord', amount: 1000, day: 29, hour: 10 });
  const flows = flowsOf(transfers, { days: 30 });
  const p = flows.index.get('p')!;
  // Only the inflows of days 27 and 28 (12:00, within 48 h of day 29 10:00) cover the rent: 20 of 1000.
  assert.equal(flows.quickOut[p], 20);
  const share = flows.quickOut[p]! / Math.max(flows.inAmount[p]!, flows.outAmount[p]!);
  assert.ok(share < 0.01, `forward share ${share}`);
});

test('a mule forwards what just arrived; money that sat longer than the window is not passed through', () => {
  const flows = flowsOf(
    [
      { from: 'v1', to: 'm', amount: 500, day: 1, hour: 10 },
      { from: 'm', to: 'x', amount: 480, day: 1, hour: 14 },
      { from: 'v2', to: 'm', amount: 700, day: 5, hour: 10 },
      { from: 'm', to: 'x', amount: 700, day: 9, hour: 10 },
    ],
    { days: 10 },
  );
  const m = flows.index.get('m')!;
  assert.equal(flows.quickOut[m], 480);
});

test('runs of consecutive transfers, recent hours and round amounts are counted per account', () => {
  const transfers: T[] = [];
  for (let k = 0; k < 5; k++) transfers.push({ from: 'a', to: `b${k}`, amount: k === 0 ? 1000 : 37.5, day: 20, hour: 3 });
  transfers.push({ from: 'a', to: 'c', amount: 12, day: 2, hour: 15 });
  const flows = flowsOf(transfers, { days: 40 });
  const a = flows.index.get('a')!;
  assert.equal(flows.maxRun[a], 5);
  assert.equal(flows.runs[a], 1);
  assert.equal(flows.roundCount[a], 1);
  // Day 20 is within the last 30 days of a 40-day window, day 2 is not.
  assert.equal(flows.recentOutCount[a], 5);
  assert.ok(Math.abs(Math.atan2(flows.recentHourSin[a]!, flows.recentHourCos[a]!) - (2 * Math.PI * 3) / 24) < 1e-9);
});

test('pairs: 20,000 distinct sender → receiver pairs (the pair table grows several times), repeats summed, first use numbers them', () => {
  const tx: T[] = [];
  const expected = new Map<string, { n: number; amount: number }>();
  // 200 senders × 100 receivers, each pair paid once, 1 in 7 of them paid again later.
  for (let round = 0; round < 2; round++)
    for (let s = 0; s < 200; s++)
      for (let r = 0; r < 100; r++) {
        if (round === 1 && (s * 100 + r) % 7 !== 0) continue;
        const amount = 10 + ((s * 31 + r * 17 + round) % 90);
        tx.push({ from: `S${s}`, to: `R${r}`, amount, day: round * 10 + (r % 5) });
        const e = expected.get(`S${s}>R${r}`) ?? { n: 0, amount: 0 };
        e.n++;
        e.amount += amount;
        expected.set(`S${s}>R${r}`, e);
      }
  const flows = flowsOf(tx, { days: 30 });
  assert.equal(flows.pairCount, 20_000);
  for (let p = 0; p < flows.pairCount; p++) {
    const key = `${flows.ids[flows.pairFrom[p]!]}>${flows.ids[flows.pairTo[p]!]}`;
    const e = expected.get(key)!;
    assert.ok(e, key);
    assert.equal(flows.pairTransfers[p], e.n, key);
    assert.ok(Math.abs(flows.pairAmount[p]! - e.amount) < 1e-9, key);
  }
  // Numbered in order of first appearance: the first transfer's pair is 0, the second's 1.
  assert.equal(`${flows.ids[flows.pairFrom[0]!]}>${flows.ids[flows.pairTo[0]!]}`, 'S0>R0');
  assert.equal(`${flows.ids[flows.pairFrom[1]!]}>${flows.ids[flows.pairTo[1]!]}`, 'S0>R1');
});

test('the keyed path (a column store of name numbers) aggregates exactly as add() with names', () => {
  const rng = createRng(5);
  const accounts = Array.from({ length: 300 }, (_, i) => (i % 2 ? `acct-${i}` : String(i)));
  const channels: Array<string | null> = [null, 'card', 'p2p', 'sepa', 'wire', 'cash', 'atm', 'pos', 'app', 'web', 'ach'];
  const from = T0 - 5 * DAY;
  const window = { from: T0, to: T0 + 60 * DAY - 1, bucketMs: 7 * DAY };
  const rows = Array.from({ length: 6000 }, () => ({
    a: Math.floor(rng() * accounts.length),
    b: Math.floor(rng() * accounts.length),
    amount: rng() < 0.02 ? 0 : rng() < 0.1 ? 100 * Math.ceil(rng() * 20) : Math.round(rng() * 100_000) / 100,
    at: from + Math.floor(rng() * 70 * DAY),
    c: Math.floor(rng() * channels.length),
  }));
  const byName = new FlowAggregator(window, { holdMs: 48 * HOUR });
  const byKey = new FlowAggregator(window, { holdMs: 48 * HOUR });
  const add = byKey.keyed(accounts, channels);
  for (const r of rows) {
    byName.add({ from: accounts[r.a]!, to: accounts[r.b]!, amount: r.amount, at: r.at, channel: channels[r.c]! });
    add(r.a, r.b, r.amount, r.at, r.c);
  }
  const x = byName.finish();
  const y = byKey.finish();
  assert.ok(x.ids.length > 250 && x.pairCount > 4000, `${x.ids.length} accounts, ${x.pairCount} pairs`);
  assert.deepEqual(y, x);
});
