// Same-amount groups (distinct payers paying one receiver exactly the same amount) and the rule that
// reads them around labelled payers, on hand-made data whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poissonSurprise, sameAmountByAccount, sameAmountGroups, MAX_SURPRISE } from '../../src/analysis/same-amount.js';
import { createRng } from '../../src/analysis/rng.js';
import { analyse, indexOf, type T } from './helpers.js';

/** −log10 P(X ≥ k) by summing the Poisson terms directly (fine where the tail is not tiny). */
function direct(lambda: number, k: number): number {
  let term = Math.exp(-lambda);
  let cdf = 0;
  for (let j = 0; j < k; j++) {
    cdf += term;
    term *= lambda / (j + 1);
  }
  return -Math.log10(1 - cdf);
}

test('poissonSurprise: the Poisson tail, in both of its branches', () => {
  // P(X ≥ 1) = 1 − e^−λ; P(X ≥ 2 | λ = 1) = 1 − 2/e.
  assert.ok(Math.abs(poissonSurprise(0.5, 1) - -Math.log10(1 - Math.exp(-0.5))) < 1e-12);
  assert.ok(Math.abs(poissonSurprise(1, 2) - -Math.log10(1 - 2 / Math.E)) < 1e-12);
  for (const [lambda, k] of [
    [0.3, 2],
    [0.9, 3],
    [2.5, 4],
    [3, 3],
    [7, 5],
    [0.05, 2],
  ] as const)
    assert.ok(
      Math.abs(poissonSurprise(lambda, k) - direct(lambda, k)) < 1e-9,
      `λ ${lambda} k ${k}: ${poissonSurprise(lambda, k)} vs ${direct(lambda, k)}`,
    );
  // Far in the tail, where direct summation has lost every digit: e^−λ λ^k / k! to first order.
  const lambda = 1e-4;
  const k = 6;
  const approx = -(-lambda + k * Math.log(lambda) - Math.log(720)) / Math.LN10;
  assert.ok(Math.abs(poissonSurprise(lambda, k) - approx) < 1e-3);
  assert.equal(poissonSurprise(1e-30, 50), MAX_SURPRISE);
  assert.equal(poissonSurprise(1000, 3), 0);
  // A large λ: e^−λ underflows, the terms in log space do not (P(X ≥ λ) is about a half).
  for (const l of [745, 800, 3000]) {
    const v = poissonSurprise(l, l);
    assert.ok(v > 0.2 && v < 0.35, `λ = k = ${l}: ${v}`);
  }
  assert.equal(poissonSurprise(Infinity, 3), 0);
});

/** Background: 200 accounts paying each other random amounts to the cent. */
function background(rng: () => number, count: number): Array<[number, number, number]> {
  const rows: Array<[number, number, number]> = [];
  for (let k = 0; k < count; k++) {
    const a = Math.floor(rng() * 200);
    let b = Math.floor(rng() * 200);
    if (b === a) b = (b + 1) % 200;
    rows.push([a, b, Math.round((20 + rng() * 2000) * 100) / 100]);
  }
  return rows;
}

function groupsOf(rows: Array<[number, number, number]>, n = 300) {
  return sameAmountGroups(
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
    rows.map((r) => r[2]),
    rows.length,
    n,
  );
}

test('sameAmountGroups finds distinct payers of one amount to one receiver, whatever the order, and nothing in random amounts', () => {
  const rng = createRng(7);
  const rows = background(rng, 20_000);
  // 250 collects 234.08 from 201..208; 201 pays it twice (one payer), 209 pays it 234.09 (another amount).
  for (let s = 201; s <= 208; s++) rows.push([s, 250, 234.08]);
  rows.push([201, 250, 234.08], [209, 250, 234.09]);
  const bar = Math.log10(rows.length) + 2;
  const g = groupsOf(rows);
  const strong = [...g.receiver.keys()].filter((x) => g.surprise[x]! >= bar);
  assert.equal(strong.length, 1, `groups above the bar: ${strong.map((x) => `${g.receiver[x]} ${g.surprise[x]}`).join(', ')}`);
  const x = strong[0]!;
  assert.equal(g.receiver[x], 250);
  assert.deepEqual(Array.from(g.sender.subarray(g.start[x]!, g.start[x + 1]!)), [201, 202, 203, 204, 205, 206, 207, 208]);
  const per = sameAmountByAccount(g, 300);
  assert.equal(per.collected[250], g.surprise[x]);
  assert.equal(per.peers[205], g.surprise[x]);
  assert.equal(per.peers[209], 0);
  // Amounts are compared exactly, not by a hash that two amounts could share (27.64 and 274.51 did).
  const exact = sameAmountGroups([1, 2, 3, 4], [299, 299, 298, 298], [27.64, 274.51, 27.64, 27.64], 4, 300, 0);
  assert.deepEqual(Array.from(exact.receiver), [298]);
  // The same groups from the rows in another order.
  const shuffled = [...rows];
  for (let k = shuffled.length - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [shuffled[k], shuffled[j]] = [shuffled[j]!, shuffled[k]!];
  }
  const h = groupsOf(shuffled);
  assert.deepEqual(Array.from(h.receiver), Array.from(g.receiver));
  assert.deepEqual(Array.from(h.sender), Array.from(g.sender));
  assert.deepEqual(Array.from(h.surprise), Array.from(g.surprise));
});

test('an amount everyone pays, or amounts under half a cent, make no surprising group', () => {
  const rng = createRng(3);
  // Every amount the same: the receiver's payers all pay it, as chance predicts.
  const same = background(rng, 20_000).map(([a, b]) => [a, b, 100] as [number, number, number]);
  const g = groupsOf(same);
  const bar = Math.log10(same.length) + 2;
  assert.equal(Array.from(g.surprise).filter((s) => s >= bar).length, 0, `max ${Math.max(0, ...g.surprise)}`);
  // Dust is not an amount.
  const dust: Array<[number, number, number]> = [];
  for (let s = 0; s < 30; s++) dust.push([s, 99, 0.001]);
  assert.equal(groupsOf(dust).receiver.length, 0);
});

test('payers of the amount labelled payers paid a collector are found with it; victims of a labelled collector and a club with one labelled member are not listed', async () => {
  const tx: T[] = [];
  const people: string[] = [];
  for (let k = 0; k < 12; k++) people.push(`S${k}`);
  for (let k = 0; k < 6; k++) people.push(`V${k}`, `M${k}`);
  for (let k = 0; k < 60; k++) people.push(`P${k}`);
  for (let k = 0; k < 40; k++) people.push(`C${k}`);
  const rng = createRng(11);
  for (const p of people) {
    for (let d = 0; d < 90; d += 30) tx.push({ from: 'EMPLOYER', to: p, amount: 2500, day: d, hour: 7 });
    for (let d = 1; d < 90; d += 3) tx.push({ from: p, to: 'SHOP', amount: Math.round((10 + rng() * 80) * 100) / 100, day: d, hour: 17 });
  }
  // Friends paying friends random amounts.
  for (let k = 0; k < 600; k++) {
    const a = people[Math.floor(rng() * people.length)]!;
    const b = people[Math.floor(rng() * people.length)]!;
    if (a !== b) tx.push({ from: a, to: b, amount: Math.round((5 + rng() * 300) * 100) / 100, day: Math.floor(rng() * 90), hour: 12 });
  }
  // S0..S11 each pay the collector 234.08 once, a week apart (smurfs told the sum).
  for (let k = 0; k < 12; k++) tx.push({ from: `S${k}`, to: 'COLLECT', amount: 234.08, day: 2 + 7 * k, hour: 10 });
  tx.push({ from: 'COLLECT', to: 'OUT', amount: 2800, day: 88, hour: 10 });
  // V0..V5 pay a labelled scammer the same price: victims.
  for (let k = 0; k < 6; k++) tx.push({ from: `V${k}`, to: 'SCAM', amount: 149.99, day: 10 + 9 * k, hour: 11 });
  // M0..M5 pay a club the same fee; M0 is labelled fraud.
  for (let k = 0; k < 6; k++) tx.push({ from: `M${k}`, to: 'CLUB', amount: 81.5, day: 30 + k, hour: 10 });
  // A club of 40 paying its fee each month; two members are labelled fraud (5% of its payers).
  for (let k = 0; k < 40; k++)
    for (let m = 0; m < 3; m++) tx.push({ from: `C${k}`, to: 'BIGCLUB', amount: 37.5, day: 5 + 30 * m, hour: 9 });
  const labels = { S5: 'fraud', S0: 'fraud', SCAM: 'fraud', M0: 'fraud', C3: 'fraud', C17: 'fraud' } as const;
  const out = await analyse(tx, { labels, days: 90 });
  // The same transfers in reverse order: the same reasons (they name ids, not the window's order).
  const reversed = await analyse([...tx].reverse(), { labels, days: 90 });
  for (const id of ['S3', 'COLLECT']) assert.deepEqual(reversed.reasons[indexOf(reversed, id)], out.reasons[indexOf(out, id)], id);
  const score = (id: string) => out.score[indexOf(out, id)]!;
  const reasons = (id: string) => out.reasons[indexOf(out, id)]!;
  for (let k = 1; k < 12; k++) {
    if (k === 5) continue;
    assert.ok(score(`S${k}`) >= 0.5, `S${k} ${score(`S${k}`)} ${reasons(`S${k}`).join(' | ')}`);
    assert.ok(reasons(`S${k}`).includes('SAME_AMOUNT_AS:COLLECT:2/12'), reasons(`S${k}`).join(' | '));
  }
  assert.ok(score('COLLECT') >= 0.5, `collector ${score('COLLECT')}`);
  assert.ok(reasons('COLLECT').includes('SAME_AMOUNT_COLLECTOR:S0:2/12'), reasons('COLLECT').join(' | '));
  assert.ok(out.candidates.some((e) => e.accountId === 'S3'));
  for (let k = 0; k < 6; k++) {
    assert.ok(score(`V${k}`) < 0.5, `victim V${k} ${score(`V${k}`)} ${reasons(`V${k}`).join(' | ')}`);
    assert.ok(!reasons(`V${k}`).some((r) => r.startsWith('SAME_AMOUNT')), reasons(`V${k}`).join(' | '));
  }
  for (let k = 1; k < 6; k++) {
    assert.ok(score(`M${k}`) < 0.5, `club member M${k} ${score(`M${k}`)} ${reasons(`M${k}`).join(' | ')}`);
    assert.ok(!reasons(`M${k}`).some((r) => r.startsWith('SAME_AMOUNT')), reasons(`M${k}`).join(' | '));
  }
  assert.ok(score('CLUB') < 0.5, `club ${score('CLUB')}`);
  for (const id of ['C0', 'C20', 'C39', 'BIGCLUB']) {
    assert.ok(score(id) < 0.5, `${id} ${score(id)} ${reasons(id).join(' | ')}`);
    assert.ok(!reasons(id).some((r) => r.startsWith('SAME_AMOUNT')), reasons(id).join(' | '));
  }
});
